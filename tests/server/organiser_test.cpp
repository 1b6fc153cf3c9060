// The organiser's REST API (the /admin page's): the list of workshops, a copy
// for the next date of a series (structure, optionally the notes), templates,
// closing without a facilitator at hand, the projector's join screen, and the
// rendered downloads (PDF minutes, SVG/PNG board) through the replay API.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "support/json_fields.hpp"
#include "support/ops.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

const std::map<std::string, std::string> kJson{{"Content-Type", "application/json"}};

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
}

struct Created {
  std::string id, join_code, facilitator_token, observer_token;
};

Created create(std::uint16_t port, const std::string& body, const std::map<std::string, std::string>& headers = kJson) {
  const auto r = http_request(port, "POST", "/api/workshops", body, headers);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return {json_string(r.body, "id"), json_string(r.body, "join_code"), json_string(r.body, "facilitator_token"),
          json_string(r.body, "observer_token")};
}

}  // namespace

TEST_CASE("organiser: the list of workshops is the admin's, newest first, without secrets", "[http][organiser]") {
  TestServerOptions options;
  options.create_workshop = false;
  options.admin_token = "admin-secret-0123456789";
  TestServer server(options);
  const auto port = server.port();
  const auto admin = bearer(options.admin_token);

  const Created first = create(port, R"({"title":"Erster Termin","date":"2026-12-03"})", admin);
  const Created second = create(port, R"({"title":"Zweiter Termin","template":"blank","language":"en"})", admin);

  CHECK(http_request(port, "GET", "/api/workshops", "", bearer("wrong")).status == 403);
  auto r = http_request(port, "GET", "/api/workshops", "", admin);
  REQUIRE(r.status == 200);
  CHECK(r.headers["cache-control"] == "no-store");
  const auto at_first = r.body.find("\"id\":\"" + first.id + "\"");
  const auto at_second = r.body.find("\"id\":\"" + second.id + "\"");
  REQUIRE(at_first != std::string::npos);
  REQUIRE(at_second != std::string::npos);
  CHECK(r.body.find("\"date\":\"2026-12-03\"") != std::string::npos);
  CHECK(r.body.find("\"title\":\"Zweiter Termin\"") != std::string::npos);
  for (const std::string& secret : {first.join_code, first.facilitator_token, first.observer_token,
                                    second.facilitator_token})
    CHECK(r.body.find(secret) == std::string::npos);

  // A date must be a day.
  for (const char* bad : {"2026-02-30", "26-12-03", "2026-13-01", "heute"}) {
    INFO(bad);
    CHECK(http_request(port, "POST", "/api/workshops", std::string(R"({"date":")") + bad + "\"}", admin).status == 400);
  }
  CHECK(http_request(port, "POST", "/api/workshops", R"({"copy_notes":"true"})", admin).status == 400);
  CHECK(http_request(port, "POST", "/api/workshops", R"({"is_template":"ja"})", admin).status == 400);
}

TEST_CASE("organiser: a copy for the next date takes the structure, and the notes only when asked",
          "[http][organiser]") {
  TestServerOptions options;
  options.create_workshop = false;
  TestServer server(options);
  const auto port = server.port();
  const Created source = create(port, R"({"title":"Regionalplan 1"})");

  // The first date: an area renamed, instructions in a phase, notes (one
  // still private), a cluster, a decision recorded.
  Peer fac(port);
  REQUIRE(fac.join(source.id, facilitator(source.facilitator_token), "Fran"));
  v1::Op agenda;
  for (const auto& p : fac.board().agenda().phases()) *agenda.mutable_set_agenda()->add_phases() = p;
  agenda.mutable_set_agenda()->mutable_phases(1)->set_instructions("Bitte je Karte ein Gedanke.");
  REQUIRE(fac.wait_ack(fac.send(agenda)));
  REQUIRE(fac.wait_ack(fac.send(ops::rename_area("chancen", "Chancen im Kreis"))));
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("n1", "Rufbus", 0, 0, "loesungsansaetze"))));
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("n2", "Bürgerbus", 300, 0, "loesungsansaetze"))));
  REQUIRE(fac.wait_ack(fac.send(ops::create_cluster("c1", "Mobilität", {"n1", "n2"}))));
  REQUIRE(fac.wait_ack(fac.send(ops::go_to("ankommen"))));
  REQUIRE(fac.wait_ack(fac.send(ops::set_phase_notes("ankommen", "Beschluss: weiter im März"))));
  REQUIRE(fac.wait_ack(fac.send(ops::go_to("sammeln"))));  // private collection
  Peer anna(port);
  REQUIRE(anna.join(source.id, join_code(source.join_code), "Anna"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("private1", "noch privat", 0, 0, "chancen"))));

  const auto board_of = [&](const Created& w) {
    Peer p(port);
    REQUIRE(p.join(w.id, facilitator(w.facilitator_token), "Check"));
    return p.board();
  };

  SECTION("structure only") {
    const Created copy = create(port, R"({"copy_from":")" + source.id + R"(","title":"Regionalplan 2","date":"2027-01-14"})");
    const auto b = board_of(copy);
    CHECK(b.settings().title() == "Regionalplan 2");
    REQUIRE(b.area("chancen"));
    CHECK(b.area("chancen")->title() == "Chancen im Kreis");
    REQUIRE(b.agenda().phases_size() == fac.board().agenda().phases_size());
    CHECK(b.agenda().phases(1).instructions() == "Bitte je Karte ein Gedanke.");
    CHECK(b.agenda().phases(0).notes().empty());   // the record of the first date stays there
    CHECK(b.agenda().current_phase_id().empty());  // the next date starts at the beginning
    CHECK(b.state().notes_size() == 0);
    const auto info = http_request(port, "GET", "/api/workshops/" + copy.id);
    CHECK(info.body.find("\"copied_from\":\"" + source.id + "\"") != std::string::npos);
    CHECK(info.body.find("\"date\":\"2027-01-14\"") != std::string::npos);
  }
  SECTION("with its notes: the revealed ones, never a private one") {
    const Created copy = create(port, R"({"copy_from":")" + source.id + R"(","copy_notes":"true"})");
    const auto b = board_of(copy);
    INFO(b.state().ShortDebugString());
    CHECK(b.settings().title() == "Regionalplan 1");
    REQUIRE(b.note("n1"));
    CHECK(b.note("n1")->text() == "Rufbus");
    CHECK(b.note("n1")->cluster_id() == "c1");
    REQUIRE(b.cluster("c1"));
    CHECK(b.cluster("c1")->title() == "Mobilität");
    CHECK(b.note("private1") == nullptr);
    CHECK(b.state().hidden_notes_size() == 0);
  }
  SECTION("as a template, listed as one") {
    const Created tpl = create(port, R"({"copy_from":")" + source.id + R"(","is_template":"true","title":"Vorlage Regionalplan"})");
    const auto r = http_request(port, "GET", "/api/workshops");
    REQUIRE(r.status == 200);
    const auto at = r.body.find("\"id\":\"" + tpl.id + "\"");
    REQUIRE(at != std::string::npos);
    CHECK(r.body.substr(at, r.body.find('}', at) - at).find("\"is_template\":true") != std::string::npos);
  }
  CHECK(http_request(port, "POST", "/api/workshops", R"({"copy_from":"nosuch"})", kJson).status == 400);
}

TEST_CASE("organiser: closing through REST freezes the workshop once it is stored", "[http][organiser]") {
  TestServer server;
  const auto port = server.port();
  const auto& w = server.workshop();
  Peer anna(port);
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));

  CHECK(http_request(port, "POST", "/api/workshops/" + w.id + "/close", "{}", bearer("wrong")).status == 403);
  CHECK(http_request(port, "POST", "/api/workshops/" + w.id + "/close", "{}", {{"Authorization", "Bearer " + w.facilitator_token}}).status == 415);
  auto r = http_request(port, "POST", "/api/workshops/" + w.id + "/close", "{}", bearer(w.facilitator_token));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(server.registry().find(w.id)->info().closed);  // answered once stored: the info counts it already
  REQUIRE(anna.pump_until([&] { return anna.board().closed(); }));
  CHECK(http_request(port, "GET", "/api/workshops/" + w.id).body.find("\"closed\":true") != std::string::npos);
  // Again: nothing to do, still fine.
  CHECK(http_request(port, "POST", "/api/workshops/" + w.id + "/close", "{}", bearer(w.facilitator_token)).status == 200);
  CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/close").status == 405);
}

TEST_CASE("organiser: the projector gets the join code only while the facilitator shows the join screen",
          "[http][organiser][projector]") {
  TestServer server;
  const auto port = server.port();
  const auto& w = server.workshop();
  const std::string path = "/api/workshops/" + w.id + "/join-screen";
  const auto get = [&](const std::string& token) { return http_request(port, "GET", path, "", bearer(token)); };

  auto r = get(w.facilitator_token);
  REQUIRE(r.status == 200);
  CHECK(json_string(r.body, "join_code") == w.join_code);
  CHECK(json_string(r.body, "short_url") == "http://127.0.0.1:" + std::to_string(port) + "/w/" + w.id);
  CHECK(json_string(r.body, "participant_url").find("code=" + w.join_code) != std::string::npos);
  CHECK(get(w.observer_token).status == 403);
  CHECK(get("").status == 403);

  Peer fac(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  v1::Op show;
  show.mutable_update_settings()->add_mask(v1::SETTINGS_FIELD_PROJECTOR);
  show.mutable_update_settings()->mutable_settings()->set_projector(v1::PROJECTOR_VIEW_JOIN);
  REQUIRE(fac.wait_ack(fac.send(show)));
  REQUIRE(eventually([&] { return get(w.observer_token).status == 200; }));
  CHECK(json_string(get(w.observer_token).body, "join_code") == w.join_code);
  // A participant's credentials are no token for it.
  CHECK(get(w.join_code).status == 403);

  // A rotated code (the server picks it) is what the projector shows next.
  REQUIRE(fac.wait_ack(fac.send(ops::rotate_join_code("NEUCODE1"))));
  REQUIRE(fac.pump_until([&] { return fac.board().join_code() != w.join_code; }));
  const std::string rotated = fac.board().join_code();
  REQUIRE(eventually([&] { return json_string(get(w.observer_token).body, "join_code") == rotated; }));

  show.mutable_update_settings()->mutable_settings()->set_projector(v1::PROJECTOR_VIEW_BOARD);
  REQUIRE(fac.wait_ack(fac.send(show)));
  REQUIRE(eventually([&] { return get(w.observer_token).status == 403; }));
  REQUIRE(fac.wait_ack(fac.send(ops::close_workshop())));
  REQUIRE(eventually([&] { return get(w.facilitator_token).status == 403; }));  // a closed workshop admits nobody
}

TEST_CASE("replay API: the PDF minutes and the board as SVG and PNG", "[http][organiser][downloads]") {
  TestServer server;
  const auto port = server.port();
  const auto& w = server.workshop();
  Peer fac(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("n1", "Radschnellweg nach Süden", 0, 0, "loesungsansaetze"))));
  const std::string base = "/api/workshops/" + w.id + "/export?t=" + w.facilitator_token + "&format=";
  auto r = http_request(port, "GET", base + "pdf");
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "application/pdf");
  CHECK(r.body.starts_with("%PDF-"));
  CHECK(r.headers["content-disposition"].find(".pdf\"") != std::string::npos);
  r = http_request(port, "GET", base + "svg");
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "image/svg+xml");
  CHECK(r.body.find("Radschnellweg") != std::string::npos);
  r = http_request(port, "GET", base + "png&at=1");
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "image/png");
  CHECK(r.body.substr(0, 4) == "\x89PNG");
  CHECK(http_request(port, "GET", base + "gif").status == 400);
  CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=pdf").status == 401);
}

TEST_CASE("organiser: new links for a workshop work beside the old ones", "[http][organiser][links]") {
  TestServerOptions options;
  options.admin_token = "admin-secret-0123456789";
  TestServer server(options);
  const auto port = server.port();
  const auto& w = server.workshop();
  const std::string path = "/api/workshops/" + w.id + "/links";
  CHECK(http_request(port, "POST", path, "{}", bearer(w.facilitator_token)).status == 403);  // the admin's
  CHECK(http_request(port, "POST", path, "{}", {{"Authorization", "Bearer " + options.admin_token}}).status == 415);
  const auto r = http_request(port, "POST", path, "{}", bearer(options.admin_token));
  INFO(r.body);
  REQUIRE(r.status == 201);
  const std::string fac_token = json_string(r.body, "facilitator_token");
  const std::string obs_token = json_string(r.body, "observer_token");
  CHECK(json_string(r.body, "facilitator_url") ==
        "http://127.0.0.1:" + std::to_string(port) + "/#w=" + w.id + "&t=" + fac_token);
  CHECK(fac_token != w.facilitator_token);

  Peer fresh(port);
  REQUIRE(fresh.join(w.id, facilitator(fac_token), "Neu"));
  CHECK(fresh.welcome().role() == v1::ROLE_FACILITATOR);
  Peer old(port);
  REQUIRE(old.join(w.id, facilitator(w.facilitator_token), "Alt"));
  CHECK(old.welcome().role() == v1::ROLE_FACILITATOR);
  Peer beamer(port);
  REQUIRE(beamer.join(w.id, observer(obs_token), "Beamer"));
  CHECK(beamer.welcome().role() == v1::ROLE_OBSERVER);
  // The new facilitator link opens the replay and exports too; its observer link does not.
  CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=md", "", bearer(fac_token)).status == 200);
  CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=md", "", bearer(obs_token)).status == 403);
  // Stored: the journal's metadata holds the new digests.
  v1::WorkshopMeta meta;
  REQUIRE(server.journal().workshop(w.id, &meta).ok());
  CHECK(meta.extra_facilitator_token_sha256_size() == 1);
  CHECK(meta.extra_observer_token_sha256_size() == 1);
}
