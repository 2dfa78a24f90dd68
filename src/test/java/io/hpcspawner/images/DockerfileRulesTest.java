package io.hpcspawner.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** Each rule of DockerfileRules refuses a Dockerfile that breaks it, and accepts one that does not. */
class DockerfileRulesTest {

    private static List<String> check(Function<Dockerfile, List<String>> rule, String text) {
        return rule.apply(Dockerfile.parse("test/Dockerfile", text));
    }

    @Test
    void basesArePinnedByTagAndWellFormedDigest() {
        assertThat(check(DockerfileRules::basesPinned, "ARG BASE=python:3.13-slim\nFROM ${BASE} AS build\nFROM build\n")).isEmpty();
        assertThat(check(DockerfileRules::basesPinned, "FROM docker.io/library/node:24@sha256:" + "a".repeat(64))).isEmpty();
        assertThat(check(DockerfileRules::basesPinned, "FROM python")).singleElement().asString().contains("not pinned");
        assertThat(check(DockerfileRules::basesPinned, "FROM python:latest")).singleElement().asString().contains("not pinned");
        assertThat(check(DockerfileRules::basesPinned, "FROM node:24@sha256:abc")).singleElement().asString().contains("not pinned");
        assertThat(check(DockerfileRules::basesPinned, "ARG BASE\nFROM ${BASE}")).singleElement().asString().contains("no ARG default");
    }

    @Test
    void entrypointAndCmdAreInExecForm() {
        assertThat(check(DockerfileRules::execForm, "FROM a:1\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"jupyterhub\"]")).isEmpty();
        assertThat(check(DockerfileRules::execForm, "FROM a:1\nCMD jupyterhub --config x")).singleElement().asString().contains("exec form");
        assertThat(check(DockerfileRules::execForm, "FROM a:1\nENTRYPOINT [\"java\", 1]")).singleElement().asString().contains("exec form");
    }

    @Test
    void userIsNumericNonRootAndTheExpectedOne() {
        assertThat(check(f -> DockerfileRules.runsAs(f, 1000), "FROM a:1\nUSER 0\nFROM b:1\nUSER 1000:1000")).isEmpty();
        assertThat(check(f -> DockerfileRules.runsAs(f, 1000), "FROM a:1\nUSER jovyan")).singleElement().asString().contains("not numeric");
        assertThat(check(f -> DockerfileRules.runsAs(f, 1000), "FROM a:1\nUSER 0:0")).singleElement().asString().contains("uid 0");
        assertThat(check(f -> DockerfileRules.runsAs(f, 1000), "FROM a:1\nUSER 1000\nFROM b:1")).singleElement().asString().contains("no USER");
        assertThat(check(DockerfileRules::noUser, "FROM a:1\nUSER 1000")).singleElement().asString().contains("calling user");
    }

    @Test
    void noDownloadPipedIntoAShell() {
        assertThat(check(DockerfileRules::noPipeToShell, "FROM a:1\nRUN curl -fsSLo x.tgz https://e.org/x.tgz && sha256sum -c x.sha256")).isEmpty();
        assertThat(check(DockerfileRules::noPipeToShell, "FROM a:1\nRUN curl -fsSL https://e.org/install.sh | sh")).hasSize(1);
        assertThat(check(DockerfileRules::noPipeToShell, "FROM a:1\nRUN wget -qO- https://e.org/i \\\n  | sudo bash -s")).hasSize(1);
        assertThat(check(DockerfileRules::noPipeToShell, "FROM a:1\nRUN curl https://e.org/get-pip.py | python3")).hasSize(1);
    }

    @Test
    void noAddOfAUrl() {
        assertThat(check(DockerfileRules::noAddOfUrls, "FROM a:1\nADD files.tar /opt/")).isEmpty();
        assertThat(check(DockerfileRules::noAddOfUrls, "FROM a:1\nADD https://e.org/alpine.js /srv/")).hasSize(1);
    }

    @Test
    void aptInstallsWithoutRecommendsAndRemovesItsLists() {
        assertThat(check(DockerfileRules::aptCleaned, "FROM a:1\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends tini \\\n"
                + " && rm -rf /var/lib/apt/lists/*")).isEmpty();
        assertThat(check(DockerfileRules::aptCleaned, "FROM a:1\nRUN apt-get update && apt-get install -y --no-install-recommends tini"))
                .singleElement().asString().contains("apt lists");
        assertThat(check(DockerfileRules::aptCleaned, "FROM a:1\nRUN apt-get update && apt-get install -y tini && rm -rf /var/lib/apt/lists/*"))
                .singleElement().asString().contains("--no-install-recommends");
    }

    @Test
    void pipInstallsPinnedPackagesWithoutACache() {
        assertThat(check(DockerfileRules::pipPinnedWithoutCache,
                "FROM a:1\nRUN python3 -m pip install --no-cache-dir ${PIP_OFFLINE} -r /tmp/r.txt \"setuptools==${V}\" /tmp/w/*.whl")).isEmpty();
        assertThat(check(DockerfileRules::pipPinnedWithoutCache, "FROM a:1\nRUN pip install jupyterhub==5.2.1"))
                .singleElement().asString().contains("--no-cache-dir");
        assertThat(check(DockerfileRules::pipPinnedWithoutCache, "FROM a:1\nRUN pip install --no-cache-dir jupyterlab"))
                .singleElement().asString().contains("jupyterlab without a pinned version");
    }

    @Test
    void noArgOrEnvNamedLikeASecret() {
        assertThat(check(DockerfileRules::noSecretNames, "FROM a:1\nARG NODE_EXTRA_CA_CERTS\nENV HOME=/tmp LANGUAGE=en_US:en")).isEmpty();
        assertThat(check(DockerfileRules::noSecretNames, "FROM a:1\nARG GITHUB_TOKEN")).hasSize(1);
        assertThat(check(DockerfileRules::noSecretNames, "FROM a:1\nENV HOME=/tmp JUPYTERHUB_CRYPT_KEY=aaaa1111")).hasSize(1);
        assertThat(check(DockerfileRules::noSecretNames, "FROM a:1\nENV DB_PASSWORD secret")).hasSize(1);
    }
}
