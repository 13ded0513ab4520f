// The property tree of Kubernetes objects, read from the TypeScript declarations (.d.ts) that
// npm's kubernetes-models and @kubernetes-models/prometheus-operator ship with every model.
// Their validators (compiled JSON schemas) accept unknown fields, as the Kubernetes OpenAPI
// schemas do; unknownFields() walks an object against these declarations and reports every
// field the type does not declare.
//
// The declarations are generated and regular: `export interface IX { "field"?: TYPE; ... }`,
// `export declare type IX = TYPE;`, `export { IX as IIoK8s... }`, `import { IY } from "path"`,
// with TYPE one of string/number/boolean, a string literal, a name, Array<TYPE>, an object
// literal { "f"?: TYPE; ... } or an index signature { [key: string]: TYPE; }, or a union A | B.
// An interface without fields (FieldsV1, RawExtension, JSON) is free-form.
import fs from "node:fs";
import path from "node:path";

export class TypeIndex {
  constructor(modulesDir) {
    this.modulesDir = modulesDir;
    this.files = new Map();
  }

  // The root type of an object of this apiVersion and kind, or null when no model has it.
  rootType(apiVersion, kind) {
    for (const pkg of ["kubernetes-models", "@kubernetes-models/prometheus-operator"]) {
      const file = path.join(this.modulesDir, pkg, apiVersion, `${kind}.d.ts`);
      if (fs.existsSync(file)) return { kind: "ref", file, name: `I${kind}` };
    }
    return null;
  }

  // Where the JS model class lives (for its validate()).
  modelModule(apiVersion, kind) {
    for (const pkg of ["kubernetes-models", "@kubernetes-models/prometheus-operator"]) {
      const file = path.join(this.modulesDir, pkg, apiVersion, `${kind}.js`);
      if (fs.existsSync(file)) return file;
    }
    return null;
  }

  load(file) {
    let parsed = this.files.get(file);
    if (parsed) return parsed;
    const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    parsed = { file, imports: new Map(), decls: new Map(), aliases: new Map() };
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      for (const spec of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
        const [orig, local] = spec.split(/\s+as\s+/).map((s) => s.trim());
        parsed.imports.set(local || orig, { from: m[2], name: orig });
      }
    }
    for (const m of text.matchAll(/export\s*\{([^}]*)\}\s*;/g)) {
      for (const spec of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
        const [orig, alias] = spec.split(/\s+as\s+/).map((s) => s.trim());
        if (alias) parsed.aliases.set(alias, orig);
      }
    }
    // Interfaces: the body is matched by brace depth.
    const re = /export\s+interface\s+(\w+)(?:<[^>]*>)?\s*(?:extends[^{]*)?\{/g;
    let m;
    while ((m = re.exec(text)) !== null) {
      const start = re.lastIndex - 1;
      const end = matchBrace(text, start);
      parsed.decls.set(m[1], { text: text.slice(start, end + 1) });
      re.lastIndex = end + 1;
    }
    // Type aliases: up to the first ';' outside braces.
    const alias = /export\s+declare\s+type\s+(\w+)(?:<[^>]*>)?\s*=/g;
    while ((m = alias.exec(text)) !== null) {
      let depth = 0;
      let i = alias.lastIndex;
      for (; i < text.length; i++) {
        if (text[i] === '"') i = text.indexOf('"', i + 1);
        else if (text[i] === "{") depth++;
        else if (text[i] === "}") depth--;
        else if (text[i] === ";" && depth === 0) break;
      }
      parsed.decls.set(m[1], { text: text.slice(alias.lastIndex, i) });
      alias.lastIndex = i + 1;
    }
    this.files.set(file, parsed);
    return parsed;
  }

  // The type a reference names (parsed on first use).
  resolve(ref) {
    const key = `${ref.file}#${ref.name}`;
    if (ref.resolved) return ref.resolved;
    const f = this.load(ref.file);
    const name = f.decls.has(ref.name) ? ref.name : f.aliases.get(ref.name);
    if (name && f.decls.has(name)) {
      const decl = f.decls.get(name);
      if (!decl.type) decl.type = new TypeParser(decl.text, f, this).parse();
      ref.resolved = decl.type;
      return decl.type;
    }
    const imp = f.imports.get(ref.name);
    if (imp) {
      const target = this.moduleFile(f.file, imp.from);
      ref.resolved = this.resolve({ kind: "ref", file: target, name: imp.name });
      return ref.resolved;
    }
    throw new Error(`${key}: type not found`);
  }

  moduleFile(fromFile, spec) {
    const base = spec.startsWith(".") ? path.resolve(path.dirname(fromFile), spec) : path.join(this.modulesDir, spec);
    for (const candidate of [`${base}.d.ts`, path.join(base, "index.d.ts")]) {
      if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error(`${fromFile}: cannot find the declarations of "${spec}"`);
  }

  // Every field of `value` that `type` does not declare, as "path: message" strings. With
  // `closedPaths`, also collects the paths of the closed object nodes visited (those where an
  // unknown field would be reported).
  unknownFields(value, type, at = "", closedPaths = null) {
    const errors = [];
    this.walk(value, type, at, errors, closedPaths);
    return errors;
  }

  walk(value, type, at, errors, closedPaths) {
    if (value === null || value === undefined) return;
    if (type.kind === "ref") return this.walk(value, this.resolve(type), at, errors, closedPaths);
    if (type.kind === "union") {
      const options = type.options.map((o) => (o.kind === "ref" ? this.resolve(o) : o));
      const fitting = options.filter((o) => (Array.isArray(value) ? o.kind === "array" : isObject(value) ? o.kind === "object" : false));
      if (fitting.length === 0) return;
      if (fitting.length === 1) return this.walk(value, fitting[0], at, errors, closedPaths);
      // Several object shapes: the value must fit one of them.
      let best = null;
      for (const o of fitting) {
        const e = [];
        this.walk(value, o, at, e, null);
        if (best === null || e.length < best.length) best = e;
      }
      errors.push(...best);
      return;
    }
    if (type.kind === "array") {
      if (Array.isArray(value)) value.forEach((v, i) => this.walk(v, type.elem, `${at}[${i}]`, errors, closedPaths));
      return;
    }
    if (type.kind !== "object" || !isObject(value)) return;
    const open = type.props.size === 0 && type.index === null;
    if (!open && type.index === null && closedPaths) closedPaths.push(at);
    for (const [k, v] of Object.entries(value)) {
      const field = `${at}${at ? "." : ""}${k}`;
      if (type.props.has(k)) this.walk(v, type.props.get(k), field, errors, closedPaths);
      else if (type.index) this.walk(v, type.index, field, errors, closedPaths);
      else if (!open) errors.push(`${field}: unknown field (expected one of ${[...type.props.keys()].sort().join(", ")})`);
    }
  }
}

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function matchBrace(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '"') {
      i = text.indexOf('"', i + 1);
    } else if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  throw new Error("unbalanced braces");
}

class TypeParser {
  constructor(text, file, index) {
    this.tokens = [...text.matchAll(/"(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$]*|-?\d+(?:\.\d+)?|[{}\[\]<>|;:?,()=&]/g)].map((m) => m[0]);
    this.pos = 0;
    this.file = file;
    this.index = index;
  }
  peek() {
    return this.tokens[this.pos];
  }
  next(expected) {
    const t = this.tokens[this.pos++];
    if (expected !== undefined && t !== expected) {
      throw new Error(`${this.file.file}: expected '${expected}', got '${t}' near ${this.tokens.slice(this.pos - 5, this.pos + 5).join(" ")}`);
    }
    return t;
  }
  parse() {
    const t = this.type();
    return t;
  }
  type() {
    if (this.peek() === "|") this.next();
    const options = [this.primary()];
    while (this.peek() === "|") {
      this.next();
      options.push(this.primary());
    }
    return options.length === 1 ? options[0] : { kind: "union", options };
  }
  primary() {
    const t = this.next();
    let result;
    if (t === "{") result = this.members();
    else if (t === "(") {
      result = this.type();
      this.next(")");
    } else if (t === "Array") {
      this.next("<");
      result = { kind: "array", elem: this.type() };
      this.next(">");
    } else if (t.startsWith('"') || /^-?\d/.test(t) || ["string", "number", "boolean", "any", "unknown", "null", "true", "false", "object"].includes(t)) {
      result = { kind: "prim", name: t };
    } else if (/^[A-Za-z_$]/.test(t)) {
      result = { kind: "ref", file: this.file.file, name: t };
      if (this.peek() === "<") {
        // Generic arguments (not used by the models' field types): skipped.
        let depth = 0;
        do {
          const g = this.next();
          if (g === "<") depth++;
          if (g === ">") depth--;
        } while (depth > 0);
      }
    } else {
      throw new Error(`${this.file.file}: unexpected '${t}' in a type`);
    }
    while (this.peek() === "[" && this.tokens[this.pos + 1] === "]") {
      this.next();
      this.next();
      result = { kind: "array", elem: result };
    }
    return result;
  }
  members() {
    const props = new Map();
    let index = null;
    while (this.peek() !== "}") {
      if (this.peek() === "[") {
        this.next("[");
        this.next();
        this.next(":");
        this.next();
        this.next("]");
        this.next(":");
        index = this.type();
      } else {
        let name = this.next();
        if (name.startsWith('"')) name = JSON.parse(name);
        if (this.peek() === "?") this.next();
        this.next(":");
        props.set(name, this.type());
      }
      if (this.peek() === ";" || this.peek() === ",") this.next();
    }
    this.next("}");
    return { kind: "object", props, index };
  }
}
