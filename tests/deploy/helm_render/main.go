// helm_render renders a Helm chart the way `helm template` does, for the subset of Helm that
// deploy/helm/recplat uses, without Helm (it is not packaged for Debian bookworm). It is built
// in GOPATH mode from Debian packages only: golang-go, golang-github-masterminds-sprig-dev
// (import path github.com/Masterminds/sprig, sprig v3.2.3) and golang-gopkg-yaml.v2-dev (YAML
// 1.1, as Helm and the Kubernetes API server read manifests: `on`/`yes` are booleans).
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o helm_render ./tests/deploy/helm_render
//	helm_render -chart deploy/helm/recplat [-f extra-values.yaml]... [-release NAME]
//	    [-namespace NS] [-o manifests.yaml] [-json objects.json] [-values-out values.json]
//	    [-notes notes.txt]
//
// What it implements, as Helm 3 does it:
//   - values: the chart's values.yaml, then each -f file deep-merged over it in order (maps
//     merge key by key, anything else replaces, a null removes the key). Numbers become float64
//     as in Helm (its YAML goes through JSON), so templates must use `int` where they need one.
//   - the template data: .Values, .Release.{Name,Namespace,Service,IsInstall,IsUpgrade,Revision},
//     .Chart.{Name,Version,AppVersion,...} (Chart.yaml, field names capitalised),
//     .Template.{Name,BasePath}, .Files.Get (files of the chart, by path under the chart),
//     .Capabilities is NOT provided.
//   - functions: sprig's text functions minus env/expandenv (as Helm), plus Helm's include,
//     required, toYaml, fromYaml and toJson. tpl and lookup are not provided: the chart must not
//     use them.
//   - every templates/*.yaml|*.yml|*.tpl file is parsed into one set; files whose name starts
//     with "_" define partials only; NOTES.txt is rendered apart (-notes), as Helm does.
//   - option missingkey=zero, and "<no value>" removed from the output (Helm does the same).
//
// Output: the documents of every rendered template (split at lines "---"; empty documents
// dropped), each preceded by "# Source: <chart>/templates/<file>" as in `helm template`. With
// -json, the same documents parsed as YAML, as a JSON array of {"source": ..., "object": ...}:
// a document that is not valid YAML (or not a map) is an error. Any error exits 1 with the
// message on stderr, e.g. the message of a template's `fail` or `required`.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v2"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	var valueFiles multiFlag
	chartDir := flag.String("chart", "", "chart directory (holds Chart.yaml)")
	flag.Var(&valueFiles, "f", "values file merged over values.yaml (repeatable)")
	release := flag.String("release", "recplat", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	out := flag.String("o", "", "write the manifests here (default stdout)")
	jsonOut := flag.String("json", "", "write the parsed documents here as JSON")
	valuesOut := flag.String("values-out", "", "write the merged values here as JSON")
	notesOut := flag.String("notes", "", "write the rendered NOTES.txt here")
	flag.Parse()
	if *chartDir == "" {
		fail(errors.New("-chart is required"))
	}
	if err := run(*chartDir, valueFiles, *release, *namespace, *out, *jsonOut, *valuesOut,
		*notesOut); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "helm_render: %v\n", err)
	os.Exit(1)
}

func run(chartDir string, valueFiles []string, release, namespace, out, jsonOut, valuesOut,
	notesOut string) error {
	chart, err := readYAMLMap(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	values, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, f := range valueFiles {
		extra, err := readYAMLMap(f)
		if err != nil {
			return err
		}
		values = mergeValues(values, extra)
	}
	if valuesOut != "" {
		if err := writeJSON(valuesOut, values); err != nil {
			return err
		}
	}
	chartName, _ := chart["name"].(string)
	if chartName == "" {
		return errors.New("Chart.yaml: name is required")
	}
	chartData := map[string]interface{}{}
	for k, v := range chart {
		chartData[strings.ToUpper(k[:1])+k[1:]] = v
	}
	data := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": chartData,
		"Files": files{root: chartDir},
	}

	names, err := templateFiles(filepath.Join(chartDir, "templates"))
	if err != nil {
		return err
	}
	root := template.New("gotpl").Option("missingkey=zero")
	root.Funcs(funcMap(root))
	for _, name := range names {
		text, err := os.ReadFile(filepath.Join(chartDir, "templates", name))
		if err != nil {
			return err
		}
		full := chartName + "/templates/" + name
		if _, err := root.New(full).Parse(string(text)); err != nil {
			return fmt.Errorf("parse error in %s: %w", full, err)
		}
	}

	var manifests bytes.Buffer
	var docs []map[string]interface{}
	for _, name := range names {
		full := chartName + "/templates/" + name
		if strings.HasPrefix(name, "_") {
			continue
		}
		rendered, err := execute(root, full, data)
		if err != nil {
			return err
		}
		if name == "NOTES.txt" {
			if notesOut != "" {
				if err := os.WriteFile(notesOut, []byte(rendered), 0o644); err != nil {
					return err
				}
			}
			continue
		}
		for i, doc := range splitDocuments(rendered) {
			fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", full, doc)
			var obj interface{}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				return fmt.Errorf("%s: document %d is not valid YAML: %v\n%s", full, i+1, err,
					numbered(doc))
			}
			m, ok := toJSONTypes(obj).(map[string]interface{})
			if !ok {
				return fmt.Errorf("%s: document %d is not a map:\n%s", full, i+1, numbered(doc))
			}
			docs = append(docs, map[string]interface{}{"source": full, "object": m})
		}
	}
	if out == "" {
		os.Stdout.Write(manifests.Bytes())
	} else if err := os.WriteFile(out, manifests.Bytes(), 0o644); err != nil {
		return err
	}
	if jsonOut != "" {
		if docs == nil {
			docs = []map[string]interface{}{}
		}
		return writeJSON(jsonOut, docs)
	}
	return nil
}

// templateFiles lists templates/ as Helm loads it (sorted; .yaml, .yml, .tpl, .txt).
func templateFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			return nil, fmt.Errorf("templates/%s: subdirectories are not supported", n)
		}
		switch filepath.Ext(n) {
		case ".yaml", ".yml", ".tpl", ".txt":
			names = append(names, n)
		}
	}
	// NOTES.txt last, as Helm renders it after the manifests.
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "NOTES.txt") != (names[j] == "NOTES.txt") {
			return names[j] == "NOTES.txt"
		}
		return names[i] < names[j]
	})
	return names, nil
}

func execute(t *template.Template, name string, data interface{}) (string, error) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", cleanError(err)
	}
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}

// cleanError turns the message of a `fail` or `required`, however deep in includes, into
// Helm's form: "execution error at (<template>:<line>:<col>): <message>".
var (
	execLocation = regexp.MustCompile(`^template: ([^ ]+:\d+:\d+): executing`)
	calledFail   = regexp.MustCompile(`error calling (?:fail|required): `)
)

func cleanError(err error) error {
	msg := err.Error()
	loc := execLocation.FindStringSubmatch(msg)
	calls := calledFail.FindAllStringIndex(msg, -1)
	if loc == nil || calls == nil {
		return err
	}
	return fmt.Errorf("execution error at (%s): %s", loc[1], msg[calls[len(calls)-1][1]:])
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

func splitDocuments(s string) []string {
	var docs []string
	for _, part := range docSep.Split(s, -1) {
		if isBlank(part) {
			continue
		}
		docs = append(docs, strings.Trim(part, "\n"))
	}
	return docs
}

// isBlank: only whitespace and comment lines (Helm drops such documents).
func isBlank(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

func numbered(doc string) string {
	var b strings.Builder
	for i, line := range strings.Split(doc, "\n") {
		fmt.Fprintf(&b, "%4d | %s\n", i+1, line)
	}
	return b.String()
}

// files is .Files: Get reads a file of the chart by its path under the chart directory.
type files struct{ root string }

func (f files) Get(name string) string {
	clean := filepath.Clean(name)
	if filepath.IsAbs(clean) || strings.HasPrefix(clean, "..") ||
		strings.HasPrefix(clean, "templates"+string(filepath.Separator)) {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(f.root, clean))
	if err != nil {
		return "" // as Helm: a missing file reads as empty
	}
	return string(b)
}

func funcMap(root *template.Template) template.FuncMap {
	m := sprig.TxtFuncMap()
	delete(m, "env")
	delete(m, "expandenv")
	m["toYaml"] = toYAML
	m["fromYaml"] = fromYAML
	m["toJson"] = toJSON
	m["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return v, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return v, errors.New(msg)
		}
		return v, nil
	}
	m["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	return m
}

// toYAML is Helm's toYaml: YAML without the trailing newline, "" on error.
func toYAML(v interface{}) string {
	b, err := yaml.Marshal(toJSONTypes(v))
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

// fromYAML is Helm's fromYaml: a map, or {"Error": message} when the text is not a YAML map.
func fromYAML(s string) map[string]interface{} {
	var v interface{}
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	if v == nil {
		return map[string]interface{}{}
	}
	m, ok := toJSONTypes(v).(map[string]interface{})
	if !ok {
		return map[string]interface{}{"Error": "not a map"}
	}
	return m
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(toJSONTypes(v))
	if err != nil {
		return ""
	}
	return string(b)
}

// toJSONTypes turns decoded YAML into what Helm's values are after their JSON round trip:
// map[string]interface{}, []interface{}, string, float64, bool, nil.
func toJSONTypes(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			m[k] = toJSONTypes(x)
		}
		return m
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = toJSONTypes(x)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(t))
		for i, x := range t {
			l[i] = toJSONTypes(x)
		}
		return l
	case []string:
		l := make([]interface{}, len(t))
		for i, x := range t {
			l[i] = x
		}
		return l
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case uint64:
		return float64(t)
	case float32:
		return float64(t)
	}
	return v
}

func readYAMLMap(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v interface{}
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if v == nil {
		return map[string]interface{}{}, nil
	}
	m, ok := toJSONTypes(v).(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("%s: expected a map at the top level", path)
	}
	return m, nil
}

// mergeValues merges src over dst as Helm coalesces a values file over the chart's values:
// maps merge recursively, a null removes the key, anything else replaces.
func mergeValues(dst, src map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(dst))
	for k, v := range dst {
		out[k] = v
	}
	for k, v := range src {
		if v == nil {
			delete(out, k)
			continue
		}
		sm, sIsMap := v.(map[string]interface{})
		dm, dIsMap := out[k].(map[string]interface{})
		if sIsMap && dIsMap {
			out[k] = mergeValues(dm, sm)
		} else {
			out[k] = v
		}
	}
	return out
}

func writeJSON(path string, v interface{}) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
