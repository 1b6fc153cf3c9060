// The page: decides from the URL whether to show the board, the join form
// or the replay, and starts it. See src/app/launch.ts for the links.
import "./style.css";
import { parseRoute, participantLink, type Launch } from "./app/launch";
import { browserStorage } from "./net/identity";
import { BoardApp } from "./ui/board-app";
import { LanguageState } from "./ui/i18n";
import { joinScreen, rememberName, rememberedName } from "./ui/join-screen";
import { ReplayApp } from "./ui/replay-app";
import { legalPage } from "./legal/legal";
import { AdminApp } from "./ui/admin-app";

const root = document.getElementById("app");
if (!root) throw new Error("index.html lacks #app");
const storage = browserStorage();
const lang = new LanguageState(storage, navigator.languages ?? [navigator.language]);
document.documentElement.lang = lang.current;

function startBoard(launch: Launch): void {
  if (launch.displayName) rememberName(storage, launch.displayName);
  // A code typed into the join form goes into the address, so that a reload
  // (or a bookmark) joins again without asking.
  const kind = launch.credential.kind;
  if (kind?.case === "joinCode" && parseRoute(location.href).kind !== "board") {
    history.replaceState(null, "", participantLink(location.origin, launch.workshopId, kind.value));
  }
  new BoardApp(root as HTMLElement, launch, lang);
}

const route = parseRoute(location.href);
switch (route.kind) {
  case "replay":
    new ReplayApp(root, route.workshopId, route.token, lang);
    break;
  case "legal":
    legalPage(root, route.name, lang);
    break;
  case "admin": {
    let session: Storage | undefined;
    try {
      session = window.sessionStorage;
    } catch {
      session = undefined; // storage blocked: the token is asked for on every load
    }
    new AdminApp(root, lang, session);
    break;
  }
  case "board": {
    const launch = route.launch;
    const name = launch.displayName || rememberedName(storage);
    const hasIdentity = (() => {
      try {
        return !!storage?.getItem(`werkstatt.identity.v1.${launch.workshopId}.${launch.credentialKind}`);
      } catch {
        return false;
      }
    })();
    if (launch.credentialKind === "observerToken") startBoard({ ...launch, displayName: launch.displayName || lang.t("role_3") });
    else if (name || hasIdentity) startBoard({ ...launch, displayName: name });
    else joinScreen(root, { lang, storage, launch, onJoin: startBoard });
    break;
  }
  case "join":
    joinScreen(root, { lang, storage, workshopId: route.workshopId, onJoin: startBoard });
    break;
  case "home":
    joinScreen(root, { lang, storage, onJoin: startBoard });
    break;
}
