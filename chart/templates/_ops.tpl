{{/*
The host that routes compute nodes' ready callbacks to the service: spawner.callback.host, else
the hub's (first) Ingress host; empty without an Ingress.
*/}}
{{- define "hpcspawner.callbackHost" -}}
{{- if .Values.ingress.enabled -}}
{{- default (first .Values.ingress.hosts) .Values.spawner.callback.host -}}
{{- end -}}
{{- end -}}

{{/* hpcspawner.public-url: spawner.publicUrl, else https://<callback host>, else empty. */}}
{{- define "hpcspawner.publicUrl" -}}
{{- if .Values.spawner.publicUrl -}}
{{- .Values.spawner.publicUrl -}}
{{- else if include "hpcspawner.callbackHost" . -}}
{{- printf "https://%s" (include "hpcspawner.callbackHost" .) -}}
{{- end -}}
{{- end -}}

{{/* The path the service answers callbacks on (CallbackResource), the only one of it the Ingress routes. */}}
{{- define "hpcspawner.callbackPath" -}}/api/v1/callback/{{- end -}}

{{/* A component's ServiceAccount name. Arguments: root, component, its serviceAccount values. */}}
{{- define "hpcspawner.serviceAccountName" -}}
{{- $sa := index . 2 -}}
{{- if $sa.create -}}
{{- default (include "hpcspawner.componentName" (list (index . 0) (index . 1))) $sa.name -}}
{{- else -}}
{{- default "default" $sa.name -}}
{{- end -}}
{{- end -}}

{{/* A peer selecting this release's pods of one component. Arguments: root, component. */}}
{{- define "hpcspawner.podPeer" -}}
{{- toJson (dict "podSelector" (dict "matchLabels" (include "hpcspawner.selectorLabels" . | fromYaml))) -}}
{{- end -}}

{{/*
NetworkPolicy egress rules from z2jh-like flags (networkPolicy.egressAllowRules): DNS in kube-system
or at private addresses, private and non-private addresses. Argument: the egressAllowRules map.
*/}}
{{- define "hpcspawner.egressAllowRules" -}}
{{- $private := list "10.0.0.0/8" "172.16.0.0/12" "192.168.0.0/16" -}}
{{- $dnsPorts := list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" "TCP") -}}
{{- if .dnsPortsKubeSystemNamespace }}
# DNS in kube-system (kube-dns, CoreDNS)
- to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
  ports: {{ toJson $dnsPorts }}
{{- end }}
{{- if .dnsPortsPrivateIPs }}
# DNS at private addresses (node-local DNS caches, site resolvers)
- to:
  {{- range $private }}
  - ipBlock: {cidr: {{ . }}}
  {{- end }}
  ports: {{ toJson $dnsPorts }}
{{- end }}
{{- if .nonPrivateIPs }}
# any public address (Keycloak, FirecREST, Vault on the internet); not the cloud metadata server
- to:
  - ipBlock:
      cidr: 0.0.0.0/0
      except: {{ toJson (append $private "169.254.169.254/32") }}
{{- end }}
{{- if .privateIPs }}
# any private address
- to:
  {{- range $private }}
  - ipBlock: {cidr: {{ . }}}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Egress to CIDRs on ports ({cidrs, ports}, ports in NetworkPolicy format; none: every port). */}}
{{- define "hpcspawner.egressToCidrs" -}}
{{- if .cidrs }}
- to:
  {{- range .cidrs }}
  - ipBlock: {cidr: {{ . }}}
  {{- end }}
  {{- with .ports }}
  ports: {{ toJson . }}
  {{- end }}
{{- end }}
{{- end -}}
