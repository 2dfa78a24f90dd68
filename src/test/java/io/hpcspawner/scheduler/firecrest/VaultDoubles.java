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
        config.put("hpcspawner.store.directory", "target/test-store-vault");
        config.put("hpcspawner.store.logins-directory", "target/test-logins-vault");
        return config;
    }

    @Override
    public void stop() {
        super.stop();
        vault.stop();
    }
}
