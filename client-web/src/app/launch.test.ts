import { describe, expect, it } from "vitest";
import { RejectCode } from "../gen/werkstatt/v1/board_pb";
import { ErrorCode } from "../gen/werkstatt/v1/protocol_pb";
import { errorText, languageOf, rejectionText, statusText } from "../ui/i18n";
import { parseJoinInput, parseLaunch, parseRoute, participantLink, replayLink, shortLink, websocketUrl } from "./launch";

describe("parseLaunch", () => {
  it("reads a participant link", () => {
    expect(parseLaunch("https://board.example/?w=nord-2025&code=K7-42")).toEqual({
      workshopId: "nord-2025",
      credential: { kind: { case: "joinCode", value: "K7-42" } },
      credentialKind: "joinCode",
      displayName: "",
    });
  });

  it("reads a facilitator token from the query or, preferably, the fragment", () => {
    expect(parseLaunch("https://board.example/?w=x&t=secret")?.credential).toEqual({ kind: { case: "facilitatorToken", value: "secret" } });
    const launch = parseLaunch("https://board.example/#w=x&t=s%2Fcret&name=Moderation%20Nord");
    expect(launch?.credential).toEqual({ kind: { case: "facilitatorToken", value: "s/cret" } });
    expect(launch?.displayName).toBe("Moderation Nord");
  });

  it("reads an observer token", () => {
    expect(parseLaunch("http://10.0.0.5:8080/?w=x&o=view")?.credentialKind).toBe("observerToken");
  });

  it("returns undefined without a workshop or a credential", () => {
    expect(parseLaunch("https://board.example/")).toBeUndefined();
    expect(parseLaunch("https://board.example/?w=x")).toBeUndefined();
    expect(parseLaunch("https://board.example/?code=K7")).toBeUndefined();
    expect(parseLaunch("https://board.example/?w=x&code=%20")).toBeUndefined();
  });
});

describe("websocketUrl", () => {
  it("uses wss on https pages and ws on http pages, on the page's host, naming the workshop for the proxy", () => {
    expect(websocketUrl("https://board.example/?w=x&t=secret#frag", "x")).toBe("wss://board.example/ws?w=x");
    expect(websocketUrl("http://10.0.0.5:8080/some/page", "abc234")).toBe("ws://10.0.0.5:8080/ws?w=abc234");
  });
});

describe("texts", () => {
  it("picks German or English from the browser's languages", () => {
    expect(languageOf(["fr-FR", "de-AT", "en"])).toBe("de");
    expect(languageOf(["EN-gb"])).toBe("en");
    expect(languageOf(["pl"])).toBe("en");
    expect(statusText("de", "reconnecting")).toMatch(/verbinde neu/);
  });

  it("explains errors the user must act on, and falls back to the server's reason", () => {
    expect(errorText("en", ErrorCode.BAD_CREDENTIAL)).toMatch(/access code/);
    expect(errorText("en", ErrorCode.SLOW_CONSUMER)).toBeUndefined();
    expect(rejectionText("de", RejectCode.BOARD_LOCKED, "the board is locked")).toMatch(/gesperrt/);
    expect(rejectionText("en", RejectCode.OUT_OF_SCOPE, "this round is about other notes")).toMatch(/not part of the open voting round/);
    expect(rejectionText("en", 99 as RejectCode, "something new")).toBe("The change was not applied: something new");
  });
});

describe("parseRoute", () => {
  it("reads the board, short-link, replay and home pages", () => {
    expect(parseRoute("https://b.example/?w=abc&code=K7M4P2").kind).toBe("board");
    expect(parseRoute("https://b.example/#w=abc&t=tok")).toMatchObject({ kind: "board", launch: { credentialKind: "facilitatorToken" } });
    expect(parseRoute("https://b.example/w/abc")).toEqual({ kind: "join", workshopId: "abc", displayName: "" });
    expect(parseRoute("https://b.example/w/abc?code=K7M4P2")).toMatchObject({ kind: "board", launch: { workshopId: "abc" } });
    expect(parseRoute("https://b.example/replay/abc#t=tok")).toEqual({ kind: "replay", workshopId: "abc", token: "tok" });
    expect(parseRoute("https://b.example/")).toEqual({ kind: "home" });
  });

  it("reads the organiser page, and only at /admin itself", () => {
    expect(parseRoute("https://b.example/admin")).toEqual({ kind: "admin" });
    expect(parseRoute("https://b.example/admin/")).toEqual({ kind: "admin" });
    expect(parseRoute("https://b.example/admin/x")).toEqual({ kind: "home" });
  });

  it("builds the links the server prints and the projector shows", () => {
    expect(shortLink("http://10.0.0.5:8080", "abc")).toBe("http://10.0.0.5:8080/w/abc");
    expect(participantLink("http://h", "abc", "K7M4P2")).toBe("http://h/?w=abc&code=K7M4P2");
    expect(replayLink("http://h", "abc", "t/k")).toBe("http://h/replay/abc#t=t%2Fk");
  });

  it("reads a pasted link or a typed code", () => {
    expect(parseJoinInput(" http://h/?w=abc&code=K7M4P2 ")).toEqual({ workshopId: "abc", code: "K7M4P2" });
    expect(parseJoinInput("http://h/w/abc")).toEqual({ workshopId: "abc" });
    expect(parseJoinInput("k7m4p2")).toEqual({ code: "k7m4p2" });
  });
});

describe("plurals", () => {
  it("uses the singular for one", async () => {
    const { translate } = await import("../ui/i18n");
    expect(translate("de", "privateNotes", { n: 1 })).toBe("1 private Karte");
    expect(translate("de", "privateNotes", { n: 3 })).toBe("3 private Karten");
    expect(translate("en", "clusterCount", { n: 1 })).toBe("1 note");
  });
});
