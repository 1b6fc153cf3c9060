// What the page needs to join a workshop, read from its link and path.
// (The user-facing texts live in src/ui/i18n.ts.)
//
// Links: /?w=<workshop id>&code=<join code>      participants
//        /?w=<workshop id>&t=<facilitator token>  facilitators
//        /?w=<workshop id>&o=<observer token>     read-only (projector)
// Each parameter may also be given in the fragment (/#w=…&t=…), which is the
// better place for the tokens: browsers never send the fragment to a server,
// so it stays out of access logs and proxies. `name` sets the display name.
//
// Paths (the server answers every extension-less path with index.html):
//        /w/<workshop id>                        short link: asks for the code
//        /replay/<workshop id>#t=<token>         the replay of a session
//        /admin                                  the organiser page (admin token)
import type { CredentialInit } from "../net/connection";

/** The server's WebSocket endpoint on the page's own origin. */
export const WEBSOCKET_PATH = "/ws";

export type CredentialKind = "joinCode" | "facilitatorToken" | "observerToken";

export interface Launch {
  workshopId: string;
  credential: CredentialInit;
  credentialKind: CredentialKind;
  displayName: string;
}

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

/** ws(s)://<host>/ws?w=<workshop> for the page at `href`: wss on https
 *  pages. The workshop id travels in the URL so that a proxy in front of
 *  several nodes can route by it (HAProxy `balance hash` on `w`); the page's
 *  own query, which may hold a credential, never does. */
export function websocketUrl(href: string, workshopId: string): string {
  const url = new URL(WEBSOCKET_PATH, href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  url.hash = "";
  url.searchParams.set("w", workshopId);
  return url.toString();
}

/** Which page a URL asks for. */
export type Route =
  | { kind: "board"; launch: Launch }
  /** A workshop is named but the credential is missing: ask for the code. */
  | { kind: "join"; workshopId: string; displayName: string }
  | { kind: "replay"; workshopId: string; token: string }
  /** /admin: the organiser page (create, list, open, close, delete workshops). */
  | { kind: "admin" }
  /** /legal/<name>: imprint, privacy notice or accessibility statement. */
  | { kind: "legal"; name: string }
  /** Nothing usable: ask for a code or link. */
  | { kind: "home" };

export function parseRoute(href: string): Route {
  const url = new URL(href);
  const params = new URLSearchParams(url.search);
  for (const [key, value] of new URLSearchParams(url.hash.replace(/^#/, ""))) params.set(key, value);
  const segments = url.pathname.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
  if (segments[0] === "replay" && segments[1]) {
    return { kind: "replay", workshopId: segments[1], token: params.get("t")?.trim() ?? "" };
  }
  if (segments[0] === "legal" && segments[1]) return { kind: "legal", name: segments[1] };
  if (segments[0] === "admin" && segments.length === 1) return { kind: "admin" };
  if (segments[0] === "w" && segments[1] && !params.has("w")) params.set("w", segments[1]);
  const withPath = new URL(url.origin + "/");
  withPath.hash = params.toString();
  const launch = parseLaunch(withPath.href);
  if (launch) return { kind: "board", launch };
  const workshopId = params.get("w")?.trim() ?? "";
  if (workshopId !== "") return { kind: "join", workshopId, displayName: params.get("name")?.trim() ?? "" };
  return { kind: "home" };
}

/** The short participant link (the code is typed in): <origin>/w/<id>. */
export function shortLink(origin: string, workshopId: string): string {
  return `${origin}/w/${encodeURIComponent(workshopId)}`;
}

/** The full participant link with the code, for the QR code. */
export function participantLink(origin: string, workshopId: string, joinCode: string): string {
  return `${origin}/?w=${encodeURIComponent(workshopId)}&code=${encodeURIComponent(joinCode)}`;
}

/** The replay page; the token goes in the fragment (never sent to servers). */
export function replayLink(origin: string, workshopId: string, token: string): string {
  return `${origin}/replay/${encodeURIComponent(workshopId)}#t=${encodeURIComponent(token)}`;
}

/** What a person may paste into the join form: a link, or a bare code. */
export function parseJoinInput(text: string): { workshopId?: string; code?: string } {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const route = parseRoute(trimmed);
      const kind = route.kind === "board" ? route.launch.credential.kind : undefined;
      if (route.kind === "board" && kind?.case === "joinCode") return { workshopId: route.launch.workshopId, code: kind.value };
      if (route.kind === "join") return { workshopId: route.workshopId };
    } catch {
      return {};
    }
    return {};
  }
  return { code: trimmed };
}
