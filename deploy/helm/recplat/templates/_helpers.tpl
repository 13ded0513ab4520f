{{/*
Helpers of the recplat chart. The chart keeps to the Helm subset that tests/deploy/helm_render
implements (sprig, include, required, toYaml, fromYaml, toJson, .Files.Get; no tpl, lookup or
.Capabilities), so that the test renders exactly what Helm would.
*/}}

{{/* Names. */}}
{{- define "recplat.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's base name; components append -core, -frontend, ... (so at most 50). */}}
{{- define "recplat.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "recplat.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "recplat.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "recplat.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels; call with (dict "root" $ "component" "core"). */}}
{{- define "recplat.selectorLabels" -}}
app.kubernetes.io/name: {{ include "recplat.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "recplat.labels" -}}
{{ include "recplat.selectorLabels" . }}
helm.sh/chart: {{ include "recplat.chart" .root }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: recplat
recplat.io/profile: {{ .root.Values.profile | quote }}
{{- end -}}

{{/*
The profiles the chart knows, and what each needs around the recplat process. This is the
extension point for a new profile: add its line here and, once config/<profile>.yaml exists,
copy it to files/profiles/ and set builtin: true (tests/deploy checks the copies match).
  builtin         files/profiles/<profile>.yaml exists (otherwise profileConfig is required)
  singleFrontend  its frontend is a client of an outside service (one connection per token):
                  one frontend replica, replaced with Recreate, no HPA
  renewalToken    runs the renewal frontend: needs the token Secret
  batch           gets the batch CronJob (`recplat batch`)
*/}}
{{- define "recplat.profiles" -}}
default: {builtin: true}
renewal: {builtin: true, singleFrontend: true, renewalToken: true}
ecoseller: {builtin: true}
eosc: {builtin: true}
article_rec: {builtin: true, batch: true}
{{- end -}}

{{/* The entry of .Values.profile in recplat.profiles, as a dict (validated by recplat.validate). */}}
{{- define "recplat.profileInfo" -}}
{{- $profiles := include "recplat.profiles" . | fromYaml -}}
{{- toYaml (get $profiles .Values.profile) -}}
{{- end -}}

{{/*
Checks what the schema cannot, with messages that say what to do. Every template includes it
first, so a bad value fails whichever template Helm renders first.
*/}}
{{- define "recplat.validate" -}}
{{- $profiles := include "recplat.profiles" . | fromYaml -}}
{{- $v := .Values -}}
{{- if not (hasKey $profiles (toString $v.profile)) -}}
{{- fail (printf "profile %q is not a recplat profile: expected one of %s" (toString $v.profile) (keys $profiles | sortAlpha | join ", ")) -}}
{{- end -}}
{{- $info := get $profiles $v.profile -}}
{{- if not (has $v.mode (list "embedded" "scaleout")) -}}
{{- fail (printf "mode %q is not a deployment mode: expected embedded (one process, role all) or scaleout (core + frontends)" (toString $v.mode)) -}}
{{- end -}}
{{- if and (not $info.builtin) (not $v.profileConfig) -}}
{{- fail (printf "profile %q has no built-in configuration yet (config/%s.yaml comes with the profile): set profileConfig to a profile YAML" $v.profile $v.profile) -}}
{{- end -}}
{{- if and (eq $v.mode "scaleout") (gt (int $v.core.replicas) 1) -}}
{{- if not $v.eventLog.nats.enabled -}}
{{- fail "core.replicas > 1 needs eventLog.nats.enabled: without the shared JetStream log each core replica would keep its own event log on its own PVC and answer differently" -}}
{{- end -}}
{{- if not (and $v.objectStore.s3.enabled $v.objectStore.s3.models) -}}
{{- fail "core.replicas > 1 needs objectStore.s3.enabled with models: true, so that every replica serves the versions whichever replica (or the trainer) trains" -}}
{{- end -}}
{{- end -}}
{{- if and $info.renewalToken (not $v.renewal.existingSecret) (not $v.renewal.token) -}}
{{- fail "profile renewal needs the recsystem token: set renewal.existingSecret (a Secret with key renewal.existingSecretKey) or renewal.token" -}}
{{- end -}}
{{- if $v.trainer.enabled -}}
{{- if ne $v.mode "scaleout" -}}
{{- fail "trainer.enabled needs mode scaleout (the embedded process trains in its own worker)" -}}
{{- end -}}
{{- if not $v.persistence.enabled -}}
{{- fail "trainer.enabled needs persistence.enabled: the trainer mounts the core's data volume" -}}
{{- end -}}
{{- end -}}
{{- if and $v.tls.metrics.enabled (not $v.tls.metrics.secretName) -}}
{{- fail "tls.metrics.enabled needs tls.metrics.secretName (a kubernetes.io/tls Secret with ca.crt)" -}}
{{- end -}}
{{- if and $v.tls.metrics.requireClientCert (not $v.tls.metrics.enabled) -}}
{{- fail "tls.metrics.requireClientCert needs tls.metrics.enabled: client certificates are checked over TLS only" -}}
{{- end -}}
{{- if and $v.tls.metrics.requireClientCert $v.serviceMonitor.enabled (not $v.tls.metrics.scrapeClientSecretName) -}}
{{- fail "tls.metrics.requireClientCert needs tls.metrics.scrapeClientSecretName: the ServiceMonitor must present a client certificate to /metrics" -}}
{{- end -}}
{{- if and $v.metricsAuth.enabled (not $v.metricsAuth.existingSecret) (not $v.metricsAuth.token) -}}
{{- fail "metricsAuth.enabled needs metricsAuth.existingSecret (a Secret with key token) or metricsAuth.token" -}}
{{- end -}}
{{- if and $v.metricsAuth.enabled (not $v.metricsAuth.existingSecret) (lt (len $v.metricsAuth.token) 16) -}}
{{- fail "metricsAuth.token must be at least 16 characters (the format of API keys)" -}}
{{- end -}}
{{- if and $v.auth.enabled (not $v.auth.existingSecret) (not $v.auth.adminKeys) -}}
{{- fail "auth.enabled needs auth.existingSecret (a Secret with keys api-keys and admin-keys) or auth.adminKeys (the frontends reach the core with the first admin key)" -}}
{{- end -}}
{{- if and $v.tls.http.enabled (not $v.tls.http.secretName) -}}
{{- fail "tls.http.enabled needs tls.http.secretName (a kubernetes.io/tls Secret)" -}}
{{- end -}}
{{- if and $v.tls.grpc.enabled (not $v.tls.grpc.secretName) -}}
{{- fail "tls.grpc.enabled needs tls.grpc.secretName (a kubernetes.io/tls Secret with ca.crt)" -}}
{{- end -}}
{{- if and $v.tls.grpc.requireClientCert (not $v.tls.grpc.enabled) -}}
{{- fail "tls.grpc.requireClientCert needs tls.grpc.enabled: client certificates are checked over TLS only" -}}
{{- end -}}
{{- if and $v.tls.grpc.requireClientCert (or (eq $v.mode "scaleout") $info.batch) (not $v.tls.grpc.clientSecretName) -}}
{{- fail "tls.grpc.requireClientCert needs tls.grpc.clientSecretName: the frontends (and the batch job) must present a client certificate to the core" -}}
{{- end -}}
{{- with $v.objectStore.s3 -}}
{{- if and .enabled (not .existingSecret) (not (and .accessKeyId .secretAccessKey)) -}}
{{- fail "objectStore.s3.enabled needs objectStore.s3.existingSecret or both accessKeyId and secretAccessKey" -}}
{{- end -}}
{{- if and .enabled .models (or (not .endpoint) (not .bucket)) -}}
{{- fail "objectStore.s3.enabled needs objectStore.s3.endpoint and objectStore.s3.bucket (registry.s3.*)" -}}
{{- end -}}
{{- end -}}
{{- with $v.eventLog.nats -}}
{{- if and .enabled (not .servers) -}}
{{- fail "eventLog.nats.enabled needs eventLog.nats.servers (nats://host:port of the cluster)" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The profile YAML every process reads (the ConfigMap's profile.yaml). */}}
{{- define "recplat.profileYaml" -}}
{{- if .Values.profileConfig -}}
{{- .Values.profileConfig -}}
{{- else -}}
{{- $text := .Files.Get (printf "files/profiles/%s.yaml" .Values.profile) -}}
{{- required (printf "files/profiles/%s.yaml is missing from the chart" .Values.profile) $text -}}
{{- end -}}
{{- end -}}

{{- define "recplat.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "recplat.coreAddress" -}}
{{- if eq .Values.mode "scaleout" -}}
{{- printf "%s-core.%s.svc:%d" (include "recplat.fullname" .) .Release.Namespace (int .Values.service.ports.grpc) -}}
{{- else -}}
{{- printf "%s.%s.svc:%d" (include "recplat.fullname" .) .Release.Namespace (int .Values.service.ports.grpc) -}}
{{- end -}}
{{- end -}}

{{- define "recplat.renewalSecretName" -}}
{{- default (printf "%s-renewal" (include "recplat.fullname" .)) .Values.renewal.existingSecret -}}
{{- end -}}
{{- define "recplat.authSecretName" -}}
{{- default (printf "%s-auth" (include "recplat.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}
{{/* Whether the auth Secret holds user keys (an existingSecret always has api-keys). */}}
{{- define "recplat.hasUserKeys" -}}
{{- if and .Values.auth.enabled (or .Values.auth.existingSecret .Values.auth.apiKeys) -}}true{{- end -}}
{{- end -}}
{{- define "recplat.s3SecretName" -}}
{{- default (printf "%s-s3" (include "recplat.fullname" .)) .Values.objectStore.s3.existingSecret -}}
{{- end -}}
{{/* "true" when the JetStream log is on and has credentials (a Secret to mount). */}}
{{- define "recplat.hasNatsCreds" -}}
{{- with .Values.eventLog.nats -}}
{{- if and .enabled (or .existingSecret .creds) -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{- define "recplat.metricsAuthSecretName" -}}
{{- default (printf "%s-metrics-auth" (include "recplat.fullname" .)) .Values.metricsAuth.existingSecret -}}
{{- end -}}

{{- define "recplat.natsSecretName" -}}
{{- default (printf "%s-nats" (include "recplat.fullname" .)) .Values.eventLog.nats.existingSecret -}}
{{- end -}}

{{/*
The arguments of recplat; call with (dict "root" $ "role" "all|core|frontend|train|batch").
Only keys recplat knows (docs/configuration.md) are set; tests/deploy checks every --set key
against that page and every flag against apps/recplat/main.cc.
*/}}
{{- define "recplat.args" -}}
{{- $v := .root.Values -}}
{{- $role := .role -}}
{{- $args := list -}}
{{- if eq $role "train" -}}
{{- $args = list "train" -}}
{{- else if eq $role "batch" -}}
{{- $args = list "batch" -}}
{{- else -}}
{{- $args = list "serve" -}}
{{- end -}}
{{- $args = concat $args (list "--profile" "/etc/recplat/profile.yaml") -}}
{{- if has $role (list "all" "core" "train") -}}
{{- $args = concat $args (list "--data-dir" $v.persistence.mountPath) -}}
{{- end -}}
{{- $sets := list -}}
{{- if has $role (list "all" "core") -}}
{{- $sets = append $sets (printf "role=%s" $role) -}}
{{- $sets = append $sets (printf "grpc.listen=%s:%d" $v.listenHost (int $v.ports.grpc)) -}}
{{- else if has $role (list "frontend" "batch") -}}
{{- $sets = append $sets "role=frontend" -}}
{{- $sets = append $sets (printf "core.address=%s" (include "recplat.coreAddress" .root)) -}}
{{- $sets = append $sets (printf "core.timeout_seconds=%v" $v.core.timeoutSeconds) -}}
{{- end -}}
{{- if has $role (list "all" "core" "frontend") -}}
{{- $sets = append $sets (printf "http.listen=%s:%d" $v.listenHost (int $v.ports.http)) -}}
{{- $sets = append $sets (printf "metrics.listen=%s:%d" $v.listenHost (int $v.ports.metrics)) -}}
{{- end -}}
{{- if eq $role "frontend" -}}
{{- $sets = append $sets (printf "http.threads=%d" (int $v.frontend.httpThreads)) -}}
{{- end -}}
{{- /* Keys and certificates: files on Secret volumes (recplat.volumes). */ -}}
{{- if has $role (list "all" "core" "frontend") -}}
{{- if $v.auth.enabled -}}
{{- if include "recplat.hasUserKeys" .root -}}
{{- $sets = append $sets "auth.api_key_file=/var/run/secrets/recplat/auth/api-keys" -}}
{{- end -}}
{{- $sets = append $sets "auth.admin_key_file=/var/run/secrets/recplat/auth/admin-keys" -}}
{{- end -}}
{{- if $v.tls.http.enabled -}}
{{- $sets = append $sets "http.tls.cert_file=/var/run/secrets/recplat/tls-http/tls.crt" -}}
{{- $sets = append $sets "http.tls.key_file=/var/run/secrets/recplat/tls-http/tls.key" -}}
{{- end -}}
{{- if $v.tls.metrics.enabled -}}
{{- $sets = append $sets "metrics.tls.cert_file=/var/run/secrets/recplat/tls-metrics/tls.crt" -}}
{{- $sets = append $sets "metrics.tls.key_file=/var/run/secrets/recplat/tls-metrics/tls.key" -}}
{{- if $v.tls.metrics.requireClientCert -}}
{{- $sets = append $sets "metrics.tls.client_ca_file=/var/run/secrets/recplat/tls-metrics/ca.crt" -}}
{{- end -}}
{{- end -}}
{{- if $v.metricsAuth.enabled -}}
{{- $sets = append $sets "metrics.bearer_token_file=/var/run/secrets/recplat/metrics-auth/token" -}}
{{- end -}}
{{- end -}}
{{- if and (has $role (list "all" "core")) $v.tls.grpc.enabled -}}
{{- $sets = append $sets "grpc.tls.cert_file=/var/run/secrets/recplat/tls-grpc/tls.crt" -}}
{{- $sets = append $sets "grpc.tls.key_file=/var/run/secrets/recplat/tls-grpc/tls.key" -}}
{{- if $v.tls.grpc.requireClientCert -}}
{{- $sets = append $sets "grpc.tls.client_ca_file=/var/run/secrets/recplat/tls-grpc/ca.crt" -}}
{{- end -}}
{{- end -}}
{{- if has $role (list "frontend" "batch") -}}
{{- if $v.auth.enabled -}}
{{- $sets = append $sets "core.api_key_file=/var/run/secrets/recplat/auth/admin-keys" -}}
{{- end -}}
{{- if $v.tls.grpc.enabled -}}
{{- $sets = append $sets "core.tls.enabled=true" -}}
{{- $sets = append $sets "core.tls.ca_file=/var/run/secrets/recplat/tls-grpc/ca.crt" -}}
{{- if $v.tls.grpc.requireClientCert -}}
{{- $sets = append $sets "core.tls.cert_file=/var/run/secrets/recplat/tls-grpc-client/tls.crt" -}}
{{- $sets = append $sets "core.tls.key_file=/var/run/secrets/recplat/tls-grpc-client/tls.key" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- /* The model store in S3 (registry.store: s3); keys through AWS_* (recplat.env). */ -}}
{{- if and (has $role (list "all" "core" "train")) $v.objectStore.s3.enabled $v.objectStore.s3.models -}}
{{- $sets = append $sets "registry.store=s3" -}}
{{- $sets = append $sets (printf "registry.s3.endpoint=%s" $v.objectStore.s3.endpoint) -}}
{{- $sets = append $sets (printf "registry.s3.bucket=%s" $v.objectStore.s3.bucket) -}}
{{- if $v.objectStore.s3.prefix -}}
{{- $sets = append $sets (printf "registry.s3.prefix=%s" $v.objectStore.s3.prefix) -}}
{{- end -}}
{{- if $v.objectStore.s3.region -}}
{{- $sets = append $sets (printf "registry.s3.region=%s" $v.objectStore.s3.region) -}}
{{- end -}}
{{- end -}}
{{- /* The JetStream event log: the processes that own a data directory and serve. */ -}}
{{- if and (has $role (list "all" "core")) $v.eventLog.nats.enabled -}}
{{- $sets = append $sets "log.backend=jetstream" -}}
{{- $sets = append $sets (printf "nats.servers=[%s]" (join "," $v.eventLog.nats.servers)) -}}
{{- $sets = append $sets (printf "nats.stream=%s" $v.eventLog.nats.stream) -}}
{{- $sets = append $sets (printf "nats.replicas=%d" (int $v.eventLog.nats.replicas)) -}}
{{- $sets = append $sets (printf "nats.max_ready_lag=%d" (int $v.eventLog.nats.maxReadyLag)) -}}
{{- if include "recplat.hasNatsCreds" .root -}}
{{- $sets = append $sets "nats.credentials_file=/var/run/secrets/recplat/nats/creds" -}}
{{- end -}}
{{- end -}}
{{- if and (eq $role "core") $v.trainer.enabled -}}
{{- $sets = append $sets "training.enabled=false" -}}
{{- end -}}
{{- $sets = append $sets (printf "logging.level=%s" $v.logging.level) -}}
{{- $sets = append $sets (printf "logging.format=%s" $v.logging.format) -}}
{{- $info := include "recplat.profileInfo" .root | fromYaml -}}
{{- if and $info.renewalToken $v.renewal.apiBaseUri (has $role (list "all" "frontend")) -}}
{{- $sets = append $sets (printf "renewal.api_base_uri=%s" (toJson $v.renewal.apiBaseUri)) -}}
{{- end -}}
{{- range $key := keys $v.extraSettings | sortAlpha -}}
{{- $sets = append $sets (printf "%s=%s" $key (toJson (get $v.extraSettings $key))) -}}
{{- end -}}
{{- range $sets -}}
{{- $args = concat $args (list "--set" .) -}}
{{- end -}}
{{- if eq $role "train" -}}
{{- range $v.trainer.models -}}
{{- $args = concat $args (list "--model" .) -}}
{{- end -}}
{{- if $v.trainer.tenant -}}
{{- $args = concat $args (list "--tenant" $v.trainer.tenant) -}}
{{- end -}}
{{- end -}}
{{- if eq $role "batch" -}}
{{- $args = concat $args $v.batch.args -}}
{{- end -}}
{{- toYaml $args -}}
{{- end -}}

{{/* Whether a process of this role runs the renewal frontend (and so reads the token). */}}
{{- define "recplat.needsRenewalToken" -}}
{{- $info := include "recplat.profileInfo" .root | fromYaml -}}
{{- if and $info.renewalToken (has .role (list "all" "frontend")) -}}true{{- end -}}
{{- end -}}

{{/* Whether a process of this role gets the pending S3 / NATS credentials mounted. */}}
{{- define "recplat.needsStores" -}}
{{- if has .role (list "all" "core" "train" "batch") -}}true{{- end -}}
{{- end -}}

{{/* The container's env; call with (dict "root" $ "role" ...). */}}
{{- define "recplat.env" -}}
- name: TMPDIR
  value: /tmp
{{- if include "recplat.needsRenewalToken" . }}
# renewal.token accepts the path of a file holding the token.
- name: RENEWAL_TOKEN
  value: /var/run/secrets/recplat/renewal/token
{{- end }}
{{- if and (has .role (list "all" "core" "train")) .root.Values.objectStore.s3.enabled .root.Values.objectStore.s3.models }}
# The model store's credentials (registry.store: s3), as the AWS variables recplat reads.
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "recplat.s3SecretName" .root }}
      key: access_key_id
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "recplat.s3SecretName" .root }}
      key: secret_access_key
{{- end }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Volume mounts of a recplat container; call with (dict "root" $ "role" ...). */}}
{{- define "recplat.volumeMounts" -}}
- name: profile
  mountPath: /etc/recplat
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if has .role (list "all" "core" "train") }}
- name: data
  mountPath: {{ .root.Values.persistence.mountPath }}
{{- end }}
{{- if include "recplat.needsRenewalToken" . }}
- name: renewal-token
  mountPath: /var/run/secrets/recplat/renewal
  readOnly: true
{{- end }}
{{- $v := .root.Values }}
{{- if and $v.auth.enabled (has .role (list "all" "core" "frontend" "batch")) }}
- name: auth-keys
  mountPath: /var/run/secrets/recplat/auth
  readOnly: true
{{- end }}
{{- if and $v.tls.http.enabled (has .role (list "all" "core" "frontend")) }}
- name: tls-http
  mountPath: /var/run/secrets/recplat/tls-http
  readOnly: true
{{- end }}
{{- if and $v.tls.grpc.enabled (has .role (list "all" "core" "frontend" "batch")) }}
- name: tls-grpc
  mountPath: /var/run/secrets/recplat/tls-grpc
  readOnly: true
{{- end }}
{{- if and $v.tls.metrics.enabled (has .role (list "all" "core" "frontend")) }}
- name: tls-metrics
  mountPath: /var/run/secrets/recplat/tls-metrics
  readOnly: true
{{- end }}
{{- if and $v.metricsAuth.enabled (has .role (list "all" "core" "frontend")) }}
- name: metrics-auth
  mountPath: /var/run/secrets/recplat/metrics-auth
  readOnly: true
{{- end }}
{{- if and $v.tls.grpc.requireClientCert (has .role (list "frontend" "batch")) }}
- name: tls-grpc-client
  mountPath: /var/run/secrets/recplat/tls-grpc-client
  readOnly: true
{{- end }}
{{- if include "recplat.needsStores" . }}
{{- if .root.Values.objectStore.s3.enabled }}
- name: s3-credentials
  mountPath: /var/run/secrets/recplat/s3
  readOnly: true
{{- end }}
{{- if and (include "recplat.hasNatsCreds" .root) (has .role (list "all" "core")) }}
- name: nats-credentials
  mountPath: /var/run/secrets/recplat/nats
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{/* The pod's volumes other than data; call with (dict "root" $ "role" ...). */}}
{{- define "recplat.volumes" -}}
- name: profile
  configMap:
    name: {{ include "recplat.fullname" .root }}-profile
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmp.sizeLimit }}
{{- if include "recplat.needsRenewalToken" . }}
- name: renewal-token
  secret:
    secretName: {{ include "recplat.renewalSecretName" .root }}
    items:
      - key: {{ .root.Values.renewal.existingSecretKey }}
        path: token
{{- end }}
{{- $v := .root.Values }}
{{- if and $v.auth.enabled (has .role (list "all" "core" "frontend" "batch")) }}
- name: auth-keys
  secret:
    secretName: {{ include "recplat.authSecretName" .root }}
    items:
      {{- if and (include "recplat.hasUserKeys" .root) (has .role (list "all" "core" "frontend")) }}
      - key: api-keys
        path: api-keys
      {{- end }}
      - key: admin-keys
        path: admin-keys
{{- end }}
{{- if and $v.tls.http.enabled (has .role (list "all" "core" "frontend")) }}
- name: tls-http
  secret:
    secretName: {{ $v.tls.http.secretName }}
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- if and $v.tls.grpc.enabled (has .role (list "all" "core")) }}
- name: tls-grpc
  secret:
    secretName: {{ $v.tls.grpc.secretName }}
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
      {{- if $v.tls.grpc.requireClientCert }}
      - key: ca.crt
        path: ca.crt
      {{- end }}
{{- else if and $v.tls.grpc.enabled (has .role (list "frontend" "batch")) }}
# The core's CA only: the server's key stays with the core.
- name: tls-grpc
  secret:
    secretName: {{ $v.tls.grpc.secretName }}
    items:
      - key: ca.crt
        path: ca.crt
{{- end }}
{{- if and $v.tls.metrics.enabled (has .role (list "all" "core" "frontend")) }}
- name: tls-metrics
  secret:
    secretName: {{ $v.tls.metrics.secretName }}
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
      {{- if $v.tls.metrics.requireClientCert }}
      - key: ca.crt
        path: ca.crt
      {{- end }}
{{- end }}
{{- if and $v.metricsAuth.enabled (has .role (list "all" "core" "frontend")) }}
- name: metrics-auth
  secret:
    secretName: {{ include "recplat.metricsAuthSecretName" .root }}
    items:
      - key: token
        path: token
{{- end }}
{{- if and $v.tls.grpc.requireClientCert (has .role (list "frontend" "batch")) }}
- name: tls-grpc-client
  secret:
    secretName: {{ $v.tls.grpc.clientSecretName }}
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- if include "recplat.needsStores" . }}
{{- if .root.Values.objectStore.s3.enabled }}
- name: s3-credentials
  secret:
    secretName: {{ include "recplat.s3SecretName" .root }}
{{- end }}
{{- if and (include "recplat.hasNatsCreds" .root) (has .role (list "all" "core")) }}
- name: nats-credentials
  secret:
    secretName: {{ include "recplat.natsSecretName" .root }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Container ports of a serving process; call with (dict "root" $ "role" ...). */}}
{{- define "recplat.containerPorts" -}}
- name: http
  containerPort: {{ .root.Values.ports.http }}
  protocol: TCP
- name: metrics
  containerPort: {{ .root.Values.ports.metrics }}
  protocol: TCP
{{- if ne .role "frontend" }}
- name: grpc
  containerPort: {{ .root.Values.ports.grpc }}
  protocol: TCP
{{- end }}
{{- end -}}

{{/* Probes of a serving process; call with (dict "root" $ "role" ...). */}}
{{- define "recplat.probes" -}}
{{- $p := .root.Values.probes -}}
{{- $scheme := ternary "HTTPS" "HTTP" (.root.Values.tls.http.enabled | default false) -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
    scheme: {{ $scheme }}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
    scheme: {{ $scheme }}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
startupProbe:
  httpGet:
    path: /healthz
    port: http
    scheme: {{ $scheme }}
  periodSeconds: {{ $p.startup.periodSeconds }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
{{- end -}}

{{/* The pod-level fields every recplat pod shares; call with (dict "root" $ "role" ...). */}}
{{- define "recplat.podCommon" -}}
serviceAccountName: {{ include "recplat.serviceAccountName" .root }}
automountServiceAccountToken: false
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* The recplat container's common fields; call with (dict "root" $ "role" ...). */}}
{{- define "recplat.containerCommon" -}}
image: {{ include "recplat.image" .root | quote }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
command:
  {{- toYaml .root.Values.image.command | nindent 2 }}
args:
  {{- include "recplat.args" . | nindent 2 }}
env:
  {{- include "recplat.env" . | nindent 2 }}
securityContext:
  {{- toYaml .root.Values.containerSecurityContext | nindent 2 }}
volumeMounts:
  {{- include "recplat.volumeMounts" . | nindent 2 }}
{{- end -}}

{{/* The data volume claim of a StatefulSet (or nothing when persistence is off). */}}
{{- define "recplat.volumeClaimTemplates" -}}
{{- $p := .Values.persistence -}}
{{- if $p.enabled -}}
volumeClaimTemplates:
  - metadata:
      name: data
      {{- with $p.annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      accessModes:
        {{- toYaml $p.accessModes | nindent 8 }}
      {{- if $p.storageClassName }}
      storageClassName: {{ $p.storageClassName | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ $p.size }}
{{- end }}
{{- end -}}

{{/* A checksum of the profile, so that pods restart when it changes. */}}
{{- define "recplat.podAnnotations" -}}
checksum/profile: {{ include "recplat.profileYaml" . | sha256sum }}
{{- if and .Values.auth.enabled (not .Values.auth.existingSecret) }}
checksum/auth: {{ toJson (list .Values.auth.apiKeys .Values.auth.adminKeys) | sha256sum }}
{{- end }}
{{- if and .Values.metricsAuth.enabled (not .Values.metricsAuth.existingSecret) }}
checksum/metrics-auth: {{ .Values.metricsAuth.token | sha256sum }}
{{- end }}
{{- end -}}
