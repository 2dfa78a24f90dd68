package io.hpcspawner.scheduler.firecrest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Slurm compressed host lists as FirecREST passes them in {@code JobModel.nodes}. */
class FirecrestHostListTest {

    @Test
    void bracketsExpandWithTheirPaddingAndCommasInsideDoNotSplit() {
        assertThat(HostList.expand("nid[001-003,007],login01"))
                .containsExactly("nid001", "nid002", "nid003", "nid007", "login01");
        assertThat(HostList.first("nid[001-003,007],login01")).contains("nid001");
    }

    @Test
    void plainNamesAndSingleNumbers() {
        assertThat(HostList.expand("vm")).containsExactly("vm");
        assertThat(HostList.expand("a1,b2")).containsExactly("a1", "b2");
        assertThat(HostList.expand("nid[5]")).containsExactly("nid5");
        assertThat(HostList.expand("nid[08-10]")).containsExactly("nid08", "nid09", "nid10");
        assertThat(HostList.expand("nid[8-10]")).containsExactly("nid8", "nid9", "nid10");
    }

    @Test
    void severalBracketGroupsMultiply() {
        assertThat(HostList.expand("r[1-2]n[01-02].cluster")).containsExactly("r1n01.cluster", "r1n02.cluster",
                "r2n01.cluster", "r2n02.cluster");
        assertThat(HostList.first("r[3-4]n[07,09]")).contains("r3n07");
    }

    @Test
    void pendingPlaceholdersMeanNoHost() {
        assertThat(HostList.first("")).isEmpty();
        assertThat(HostList.first(null)).isEmpty();
        assertThat(HostList.first("None assigned")).isEmpty();
        assertThat(HostList.first("(null)")).isEmpty();
        assertThat(HostList.expand("None assigned")).isEmpty();
    }

    @Test
    void malformedListsHaveNoFirstHostAndFailToExpand() {
        for (String bad : new String[] {"nid[001-", "nid]1[", "nid[a-b]", "nid[5-3]", "nid[[1]]", "a,,b", "nid[1-2-3]"}) {
            assertThat(HostList.first(bad)).as(bad).isEmpty();
            assertThatThrownBy(() -> HostList.expand(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void hugeRangesAreRefusedButTheFirstHostIsStillCheap() {
        assertThatThrownBy(() -> HostList.expand("nid[0-99999999]")).isInstanceOf(IllegalArgumentException.class);
        assertThat(HostList.first("nid[0000001-0099999]")).contains("nid0000001");
    }
}
