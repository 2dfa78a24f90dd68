{{/* Names are truncated to 63 characters (the DNS label limit). */}}
{{- define "hpcspawner.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects: <fullname>-<component>, at most 63 characters. */}}
{{- define "hpcspawner.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "hpcspawner.fullname" $root | trunc (int (sub 62 (len (index . 1))))) (index . 1) | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable across upgrades (matchLabels are immutable) and include the release. */}}
{{- define "hpcspawner.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ default $root.Chart.Name $root.Values.nameOverride | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "hpcspawner.labels" -}}
{{ include "hpcspawner.selectorLabels" . }}
{{- $root := index . 0 }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "hpcspawner.image" -}}
{{- $image := index . 0 -}}
{{- $root := index . 1 -}}
{{- printf "%s:%s" $image.name (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The hub Service URL inside the cluster. */}}
{{- define "hpcspawner.hubUrl" -}}
{{- printf "http://%s:8081" (include "hpcspawner.componentName" (list . "hub")) -}}
{{- end -}}

{{- define "hpcspawner.hubPrefix" -}}
{{- printf "%s/hub" (trimSuffix "/" .Values.hub.baseUrl) -}}
{{- end -}}

{{/*
Site configuration as Java properties: maps are flattened with dots, lists joined with commas,
backslashes and line ends escaped; a null drops the key (a stage removing a shared system or
profile). Arguments: prefix, map.
*/}}
{{- define "hpcspawner.properties" -}}
{{- $prefix := index . 0 -}}
{{- range $key, $value := index . 1 }}
{{- $name := printf "%s.%s" $prefix $key }}
{{- if kindIs "map" $value }}
{{- include "hpcspawner.properties" (list $name $value) }}
{{- else if not (kindIs "invalid" $value) }}
{{- $text := $value }}
{{- if kindIs "slice" $value }}{{ $text = join "," $value }}{{ end }}
{{ $name }}={{ toString $text | replace "\\" "\\\\" | replace "\n" "\\n" }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Reloader annotations (named objects), when reloader.annotate. Arguments: root, the ConfigMap's name,
the Secrets' names joined with commas (hpcspawner.secretsOf in _secrets.tpl).
*/}}
{{- define "hpcspawner.reloaderAnnotations" -}}
{{- $root := index . 0 -}}
{{- if $root.Values.reloader.annotate }}
configmap.reloader.stakater.com/reload: {{ index . 1 | quote }}
secret.reloader.stakater.com/reload: {{ index . 2 | quote }}
{{- end }}
{{- end -}}
