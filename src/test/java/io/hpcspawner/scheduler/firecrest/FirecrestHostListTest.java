package io.hpcspawner.scheduler.firecrest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The node a server runs on, from Slurm compressed host lists as FirecREST passes them in {@code JobModel.nodes}. */
class FirecrestHostListTest {

    @Test
    void theFirstHostKeepsItsPaddingAndCommasInsideBracketsDoNotSplit() {
        assertThat(HostList.first("nid[001-003,007],login01")).contains("nid001");
        assertThat(HostList.first("nid[08-10]")).contains("nid08");
        assertThat(HostList.first("nid[8-10]")).contains("nid8");
    }

    @Test
    void plainNamesAndSingleNumbers() {
        assertThat(HostList.first("vm")).contains("vm");
        assertThat(HostList.first("a1,b2")).contains("a1");
        assertThat(HostList.first("nid[5]")).contains("nid5");
        assertThat(HostList.first(" nid001 ")).contains("nid001");
    }

    @Test
    void eachBracketGroupGivesItsFirstNumber() {
        assertThat(HostList.first("r[3-4]n[07,09]")).contains("r3n07");
        assertThat(HostList.first("r[1-2]n[01-02].cluster")).contains("r1n01.cluster");
    }

    @Test
    void pendingPlaceholdersMeanNoHost() {
        assertThat(HostList.first("")).isEmpty();
        assertThat(HostList.first(null)).isEmpty();
        assertThat(HostList.first("None assigned")).isEmpty();
        assertThat(HostList.first("(null)")).isEmpty();
    }

    @Test
    void malformedListsHaveNoFirstHost() {
        for (String bad : new String[] {"nid[001-", "nid]1[", "nid[a-b]", "nid[5-3]", "nid[[1]]", "a,,b", "nid[1-2-3]"}) {
            assertThat(HostList.first(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void aHugeRangeCostsNothing() {
        assertThat(HostList.first("nid[0000001-99999999999]")).contains("nid0000001");
    }
}
