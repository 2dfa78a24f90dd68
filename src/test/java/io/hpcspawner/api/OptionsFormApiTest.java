package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.ProfileOption;
import io.hpcspawner.spawn.model.Profiles;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.service.ProfileCatalog;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jsoup.Jsoup;
import org.jsoup.nodes.FormElement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The options form through the API: a group's profile is offered when the hub names the group and
 * never because a user says they are in it; the answer carries each profile's options and whether
 * each system answers.
 */
@QuarkusTest
class OptionsFormApiTest {

    static final String ALICE = "Bearer test-alice-token";
    static final String FORM = "/api/v1/users/alice/options-form";

    @Inject
    Profiles profiles;

    @Inject
    Systems systems;

    @BeforeEach
    void aCourseProfileForOneGroup() {
        Profile small = profiles.find("small").orElseThrow();
        Profile course = new Profile("course", "Course", "For the course's students", small.system(), "debug",
                Optional.empty(), 1, 2, Optional.empty(), 30, 60, List.of(), Duration.ofHours(1),
                List.of(new ProfileOption(OptionName.TIME, "Wall time", "", Optional.of("30"), List.of(),
                        OptionalLong.of(5), OptionalLong.of(60), false, false)),
                List.of(), List.of("course-2026"));
        QuarkusMock.installMockForType(new ProfileCatalog(new Profiles(Map.of("small", small, "course", course)),
                systems), ProfileCatalog.class);
    }

    @Test
    void theHubsGroupsOpenAGroupsProfile() {
        given().header("Authorization", ServerApiTest.HUB).queryParam("group", "staff", "course-2026").get(FORM)
                .then().statusCode(200)
                .body("profiles.key", contains("course", "small"))
                .body("profiles.find { it.key == 'course' }.options.key", contains("time"))
                .body("profiles.find { it.key == 'course' }.options[0].kind", equalTo("duration"))
                .body("profiles.find { it.key == 'course' }.options[0].max", equalTo(60))
                .body("html", containsString("name=\"course.time\""));
        given().header("Authorization", ServerApiTest.HUB).get(FORM).then().statusCode(200)
                .body("profiles.key", contains("small"));
    }

    @Test
    void theFormAsABrowserSubmitsItStartsTheChosenProfile() {
        String html = given().header("Authorization", ServerApiTest.HUB).queryParam("group", "course-2026").get(FORM)
                .then().statusCode(200).extract().path("html");
        FormElement page = (FormElement) Jsoup.parse("<form>" + html + "</form>").selectFirst("form");
        page.selectFirst("input[name=profile][value=course]").attr("checked", true);
        page.selectFirst("input[name=profile][value=small]").removeAttr("checked");
        page.selectFirst("input[name=course.time]").val("45");
        Map<String, Object> options = new LinkedHashMap<>();
        page.formData().forEach(kv -> options.put(kv.key(), kv.value()));
        assertThat(options).containsKeys("small.cpus", "course.time").doesNotContainKey("cpus");

        String start = "formtrip" + System.nanoTime();
        String path = "/api/v1/users/alice/servers/" + start;
        given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", start, "options", options, "groups", List.of("course-2026"),
                        "environment", Map.of("JUPYTERHUB_API_TOKEN", "hub-secret-token")))
                .post(path).then().statusCode(202)
                .body("options.profile", equalTo("course")).body("options.time", equalTo("45"));
        given().header("Authorization", ServerApiTest.HUB).delete(path).then().statusCode(202);
    }

    @Test
    void aUserCannotNameTheirOwnGroups() {
        given().header("Authorization", ALICE).queryParam("group", "course-2026").get(FORM).then().statusCode(200)
                .body("profiles.key", contains("small"))
                .body("html", not(containsString("course")));
    }

    @Test
    void theAnswerSaysWhetherEachSystemAnswers() {
        given().header("Authorization", ALICE).get(FORM).then().statusCode(200)
                .body("systems.name", contains("testsys"))
                .body("systems[0].available", equalTo(true))
                .body("profiles.find { it.key == 'small' }.first", equalTo(true))
                .body("profiles.find { it.key == 'small' }.options.key", contains("account", "time", "cpus"))
                .body("html", containsString("<legend>System testsys</legend>"));
    }
}
