// What the page needs to join a workshop, read from its link, and the few
// user-facing texts of the minimal page (German and English, as the UI).
//
// Links: /?w=<workshop id>&code=<join code>      participants
//        /?w=<workshop id>&t=<facilitator token>  facilitators
//        /?w=<workshop id>&o=<observer token>     read-only (projector)
// Each parameter may also be given in the fragment (/#w=…&t=…), which is the
// better place for the tokens: browsers never send the fragment to a server,
// so it stays out of access logs and proxies. `name` sets the display name.
import type { ConnectionStatus, CredentialInit } from "../net/connection";
import { ErrorCode } from "../gen/werkstatt/v1/protocol_pb";
import { RejectCode } from "../gen/werkstatt/v1/board_pb";

/** The server's WebSocket endpoint on the page's own origin. */
export const WEBSOCKET_PATH = "/ws";

export type CredentialKind = "joinCode" | "facilitatorToken" | "observerToken";

export interface Launch {
  workshopId: string;
  credential: CredentialInit;
  credentialKind: CredentialKind;
  displayName: string;
}

export type Language = "de" | "en";

/** Reads the launch parameters from a page URL; undefined if it has none. */
export function parseLaunch(href: string): Launch | undefined {
  const url = new URL(href);
  const params = new URLSearchParams(url.search);
  for (const [key, value] of new URLSearchParams(url.hash.replace(/^#/, ""))) params.set(key, value);
  const workshopId = params.get("w")?.trim() ?? "";
  if (workshopId === "") return undefined;
  const displayName = params.get("name")?.trim() ?? "";
  const kinds: [string, CredentialKind][] = [
    ["t", "facilitatorToken"],
    ["o", "observerToken"],
    ["code", "joinCode"],
  ];
  for (const [param, kind] of kinds) {
    const value = params.get(param)?.trim();
    if (value) return { workshopId, credential: { kind: { case: kind, value } }, credentialKind: kind, displayName };
  }
  return undefined;
}

/** ws(s)://<host>/ws for the page at `href`: wss on https pages. */
export function websocketUrl(href: string): string {
  const url = new URL(WEBSOCKET_PATH, href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  url.hash = "";
  return url.toString();
}

export function languageOf(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "de" || base === "en") return base;
  }
  return "en";
}

const TEXT = {
  de: {
    offline: "Nicht verbunden",
    connecting: "Verbinde …",
    online: "Verbunden",
    reconnecting: "Verbindung unterbrochen, verbinde neu …",
    noLaunch: "Dieser Link ist unvollständig. Bitte öffnen Sie den Einladungslink der Moderation.",
    notePlaceholder: "Neue Karte",
    add: "Hinzufügen",
    badCredential: "Der Zugangscode ist ungültig. Bitte prüfen Sie den Link.",
    unknownWorkshop: "Diesen Workshop gibt es nicht (mehr). Bitte prüfen Sie den Link.",
    protocolVersion: "Diese Seite ist veraltet. Bitte laden Sie sie neu.",
    locked: "Die Moderation hat das Board gesperrt.",
    notPermitted: "Das ist in dieser Phase nicht erlaubt.",
    limit: "Ein Limit ist erreicht.",
    tooLong: "Der Text ist zu lang.",
    rejected: "Die Änderung wurde nicht übernommen",
  },
  en: {
    offline: "Not connected",
    connecting: "Connecting …",
    online: "Connected",
    reconnecting: "Connection lost, reconnecting …",
    noLaunch: "This link is incomplete. Please open the invitation link from the facilitator.",
    notePlaceholder: "New note",
    add: "Add",
    badCredential: "The access code is not valid. Please check the link.",
    unknownWorkshop: "This workshop does not exist (any more). Please check the link.",
    protocolVersion: "This page is out of date. Please reload it.",
    locked: "The facilitator has locked the board.",
    notPermitted: "That is not allowed in this phase.",
    limit: "A limit has been reached.",
    tooLong: "The text is too long.",
    rejected: "The change was not applied",
  },
} as const;

export type TextKey = keyof (typeof TEXT)["en"];

export function text(lang: Language, key: TextKey): string {
  return TEXT[lang][key];
}

export function statusText(lang: Language, status: ConnectionStatus): string {
  return TEXT[lang][status];
}

/** The user-facing sentence for a server error code, if there is one. */
export function errorText(lang: Language, code: ErrorCode | undefined): string | undefined {
  switch (code) {
    case ErrorCode.BAD_CREDENTIAL:
      return TEXT[lang].badCredential;
    case ErrorCode.UNKNOWN_WORKSHOP:
      return TEXT[lang].unknownWorkshop;
    case ErrorCode.PROTOCOL_VERSION:
      return TEXT[lang].protocolVersion;
    default:
      return undefined;
  }
}

/** Why an own change was rolled back, in the user's language; the server's
 *  English reason is the fallback. */
export function rejectionText(lang: Language, code: RejectCode, reason: string): string {
  const t = TEXT[lang];
  switch (code) {
    case RejectCode.BOARD_LOCKED:
      return t.locked;
    case RejectCode.NOT_PERMITTED:
      return t.notPermitted;
    case RejectCode.LIMIT_REACHED:
      return t.limit;
    case RejectCode.TEXT_TOO_LONG:
      return t.tooLong;
    default:
      return reason ? `${t.rejected}: ${reason}` : `${t.rejected}.`;
  }
}
