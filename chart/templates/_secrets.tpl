{{/*
Secrets: every workload reads its credentials from ONE Secret with fixed keys; secrets.source only
changes who makes it (the chart, the site, or External Secrets from Vault). With
externalSecrets.generateMissing the generated keys live in a second, immutable Secret
(<fullname>-generated), so hpcspawner.secretKeyRef names the Secret of each key.
*/}}

{{/* The chart's own Secret: hub-values.json always, and every key with secrets.source=chart. */}}
{{- define "hpcspawner.chartSecretName" -}}
{{- include "hpcspawner.fullname" . -}}
{{- end -}}

{{/* The Secret holding the credentials (all keys, but generated ones with generateMissing). */}}
{{- define "hpcspawner.secretName" -}}
{{- if eq .Values.secrets.source "existingSecret" -}}
{{- .Values.secrets.existingSecret -}}
{{- else if eq .Values.secrets.source "externalSecrets" -}}
{{- include "hpcspawner.componentName" (list . "credentials") -}}
{{- else -}}
{{- include "hpcspawner.chartSecretName" . -}}
{{- end -}}
{{- end -}}

{{/* ESO's generated, immutable Secret (externalSecrets.generateMissing). */}}
{{- define "hpcspawner.generatedSecretName" -}}
{{- include "hpcspawner.componentName" (list . "generated") -}}
{{- end -}}

{{/* Keys the hub reads (space-separated). */}}
{{- define "hpcspawner.hubKeys" -}}
proxy-token cookie-secret crypt-key hub-token metrics-token{{ if .Values.keycloak.enabled }} keycloak-hub-client-secret{{ end }}{{ if .Values.healthCheck.enabled }} health-check-token{{ end }}
{{- end -}}

{{/* Keys the service reads as environment variables (space-separated). */}}
{{- define "hpcspawner.serviceEnvKeys" -}}
hub-token{{ if .Values.healthCheck.enabled }} health-check-token{{ end }}
{{- end -}}

{{/* Keys the chart (lookup) or ESO (generateMissing) may generate: random tokens, no site's secret. */}}
{{- define "hpcspawner.generatableKeys" -}}
proxy-token cookie-secret crypt-key hub-token metrics-token health-check-token
{{- end -}}

{{/* Keys the service reads as files (file: references), unless it reads them from Vault itself. */}}
{{- define "hpcspawner.serviceFileKeys" -}}
{{- if and .Values.keycloak.enabled (not .Values.spawner.vault.enabled) -}}
keycloak-hub-client-secret keycloak-service-client-secret token-encryption-key
{{- end -}}
{{- end -}}

{{/* Every key the workloads read (space-separated, sorted). */}}
{{- define "hpcspawner.neededKeys" -}}
{{- splitList " " (printf "%s %s" (include "hpcspawner.hubKeys" .) (include "hpcspawner.serviceFileKeys" .) | trim) | uniq | sortAlpha | join " " -}}
{{- end -}}

{{/* Keys ESO generates: needed, generatable and not in remoteRefs (space-separated). */}}
{{- define "hpcspawner.generatedKeys" -}}
{{- $es := .Values.secrets.externalSecrets -}}
{{- $keys := list -}}
{{- if and (eq .Values.secrets.source "externalSecrets") $es.generateMissing -}}
{{- range splitList " " (include "hpcspawner.neededKeys" .) -}}
{{- if and (has . (splitList " " (include "hpcspawner.generatableKeys" $))) (not (get $es.remoteRefs .)) -}}
{{- $keys = append $keys . -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- join " " $keys -}}
{{- end -}}

{{/* The Secret holding one key. Arguments: root, key. */}}
{{- define "hpcspawner.secretNameFor" -}}
{{- $root := index . 0 -}}
{{- if has (index . 1) (splitList " " (include "hpcspawner.generatedKeys" $root)) -}}
{{- include "hpcspawner.generatedSecretName" $root -}}
{{- else -}}
{{- include "hpcspawner.secretName" $root -}}
{{- end -}}
{{- end -}}

{{/* A secretKeyRef (flow map) for one key. Arguments: root, key. */}}
{{- define "hpcspawner.secretKeyRef" -}}
{name: {{ include "hpcspawner.secretNameFor" . | quote }}, key: {{ index . 1 }}}
{{- end -}}

{{/* The Secrets a workload uses, joined with commas. Arguments: root, keys (list), other names (list). */}}
{{- define "hpcspawner.secretsOf" -}}
{{- $root := index . 0 -}}
{{- $names := list -}}
{{- range index . 1 }}{{ $names = append $names (include "hpcspawner.secretNameFor" (list $root .)) }}{{ end -}}
{{- range index . 2 }}{{ if . }}{{ $names = append $names . }}{{ end }}{{ end -}}
{{- $names | uniq | join "," -}}
{{- end -}}

{{/* Where the service finds its key files (the credentials Secret mounted as a directory). */}}
{{- define "hpcspawner.credentialsMountPath" -}}
/var/run/secrets/hpcspawner-credentials
{{- end -}}

{{/* The value given in values for a key (secrets.source=chart). Arguments: root, key. */}}
{{- define "hpcspawner.explicitSecret" -}}
{{- $v := (index . 0).Values -}}
{{- $given := dict
  "proxy-token" $v.proxy.secretToken
  "cookie-secret" $v.hub.cookieSecret
  "crypt-key" $v.hub.cryptKey
  "hub-token" $v.spawner.hubToken
  "metrics-token" $v.secrets.metricsToken
  "health-check-token" $v.secrets.healthCheckToken
  "token-encryption-key" $v.keycloak.tokenEncryptionKey
  "keycloak-hub-client-secret" $v.keycloak.hubClient.secret
  "keycloak-service-client-secret" $v.keycloak.serviceClient.secret
-}}
{{- get $given (index . 1) -}}
{{- end -}}

{{/*
A key of the chart's Secret (secrets.source=chart): the value in values, else the one already in
the Secret (lookup, empty under `helm template` and Argo CD), else a new random one (64 hex
characters; 32 random bytes in base64 for token-encryption-key). Arguments: root, key.
*/}}
{{- define "hpcspawner.generatedSecret" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $explicit := include "hpcspawner.explicitSecret" . -}}
{{- if $explicit -}}
{{- $explicit -}}
{{- else -}}
{{- $existing := (lookup "v1" "Secret" $root.Release.Namespace (include "hpcspawner.chartSecretName" $root)) | default dict -}}
{{- $data := get $existing "data" | default dict -}}
{{- if hasKey $data $key -}}
{{- get $data $key | b64dec -}}
{{- else if eq $key "token-encryption-key" -}}
{{- randBytes 32 -}}
{{- else -}}
{{- randAlphaNum 64 | sha256sum -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Fails with the value to set when a key cannot be produced by the chosen source. */}}
{{- define "hpcspawner.checkSecrets" -}}
{{- $s := .Values.secrets -}}
{{- if eq $s.source "chart" -}}
{{- range list (list "keycloak-hub-client-secret" "keycloak.hubClient.secret") (list "keycloak-service-client-secret" "keycloak.serviceClient.secret") -}}
{{- if and (has (index . 0) (splitList " " (include "hpcspawner.neededKeys" $))) (not (include "hpcspawner.explicitSecret" (list $ (index . 0)))) -}}
{{- fail (printf "%s is required with secrets.source=chart and keycloak.enabled (the client's secret from Keycloak; it cannot be generated), or choose secrets.source existingSecret or externalSecrets" (index . 1)) -}}
{{- end -}}
{{- end -}}
{{- else if eq $s.source "externalSecrets" -}}
{{- $generated := splitList " " (include "hpcspawner.generatedKeys" .) -}}
{{- range splitList " " (include "hpcspawner.neededKeys" .) -}}
{{- if and (not (get $s.externalSecrets.remoteRefs .)) (not (has . $generated)) -}}
{{- fail (printf "secrets.externalSecrets.remoteRefs.%s is required with secrets.source=externalSecrets: give {key, property} of its place in Vault%s" . (ternary ", or set secrets.externalSecrets.generateMissing: true" "" (has . (splitList " " (include "hpcspawner.generatableKeys" $))))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
