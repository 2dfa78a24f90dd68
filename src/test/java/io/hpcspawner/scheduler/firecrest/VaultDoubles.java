package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.HashMap;
import java.util.Map;

/**
 * The FirecREST and Keycloak doubles plus a WireMock Vault (no Vault server can run here): the
 * service account's client secret comes from Vault KV v2, read with AppRole authentication.
 */
public class VaultDoubles extends FirecrestDoubles {

    static WireMockServer vault;

    /** Vault's answer to a successful login: a client token {@code hvs.test-token} with {@code metadata}. */
    static String loginAnswer(String metadata) {
        return "{\"request_id\":\"l1\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
                + "\"data\":null,\"wrap_info\":null,\"warnings\":null,\"auth\":{\"client_token\":\"hvs.test-token\","
                + "\"accessor\":\"acc\",\"policies\":[\"default\",\"hpcspawner\"],\"token_policies\":[\"default\","
                + "\"hpcspawner\"],\"metadata\":" + metadata + ",\"lease_duration\":3600,"
                + "\"renewable\":true,\"entity_id\":\"e1\",\"token_type\":\"service\",\"orphan\":true}}";
    }

    @Override
    public Map<String, String> start() {
        vault = new WireMockServer(wireMockConfig().dynamicPort());
        vault.start();
        Map<String, String> config = new HashMap<>(super.start());
        config.put("quarkus.vault.url", vault.baseUrl());
        config.put("quarkus.vault.authentication.app-role.role-id", "hpcspawner-role");
        config.put("quarkus.vault.authentication.app-role.secret-id", "approle-secret-id");
        config.put("hpcspawner.keycloak.service-client.secret", "vault:hpcspawner/keycloak#service-secret");
        config.put("hpcspawner.keycloak.secret-refresh", "1s");
        // the Keycloak double issues 2 s tokens (renewed every second) to see each rotation soon
        config.put("hpcspawner.keycloak.min-token-validity", "0s");
        config.put("hpcspawner.keycloak.token-margin", "1s");
        config.put("hpcspawner.store.directory", "target/test-store-vault");
        config.put("hpcspawner.store.logins-directory", "target/test-logins-vault");
        return config;
    }

    /** The same, logging in to Vault with Kubernetes authentication (the pod's service-account token file). */
    public static class Kubernetes extends VaultDoubles {

        static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6aHBjOmh1YiJ9.c2ln";

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.remove("quarkus.vault.authentication.app-role.role-id");
            config.remove("quarkus.vault.authentication.app-role.secret-id");
            try {
                java.nio.file.Path token = java.nio.file.Path.of("target/test-serviceaccount-token").toAbsolutePath();
                java.nio.file.Files.writeString(token, JWT);
                config.put("quarkus.vault.authentication.kubernetes.role", "hpcspawner");
                config.put("quarkus.vault.authentication.kubernetes.jwt-token-path", token.toString());
                // no cluster CA here: Vault is plain HTTP (in a pod quarkus-vault trusts the Kubernetes CA by default)
                config.put("quarkus.vault.tls.use-kubernetes-ca-cert", "false");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            config.put("hpcspawner.systems.fc.resilience.breaker.open-for", "1s");
            config.put("hpcspawner.store.directory", "target/test-store-vault-k8s");
            config.put("hpcspawner.store.logins-directory", "target/test-logins-vault-k8s");
            return config;
        }
    }

    @Override
    public void stop() {
        super.stop();
        vault.stop();
    }
}
