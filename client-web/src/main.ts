// The minimal page: joins the workshop named in the link, shows the
// connection status and the notes, and can add a note. It exercises the
// protocol and state layers end to end; the real board UI replaces it later.
//
// User data only ever reaches the DOM through textContent.
import "./style.css";
import { Color } from "./gen/werkstatt/v1/board_pb";
import { errorText, languageOf, parseLaunch, rejectionText, statusText, text, websocketUrl } from "./app/launch";
import { Connection } from "./net/connection";
import { IdentityStore, browserStorage } from "./net/identity";
import { BoardStore } from "./state/board-store";
import { randomId } from "./state/ids";
import { BoardSync } from "./sync/board-sync";

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
}

const lang = languageOf(navigator.languages ?? [navigator.language]);
document.documentElement.lang = lang;
const statusEl = element<HTMLParagraphElement>("status");
const problemEl = element<HTMLParagraphElement>("problem");
const titleEl = element<HTMLHeadingElement>("title");
const form = element<HTMLFormElement>("new-note");
const input = element<HTMLInputElement>("note-text");
const notesEl = element<HTMLUListElement>("notes");
element<HTMLButtonElement>("add-note").textContent = text(lang, "add");
input.placeholder = text(lang, "notePlaceholder");

function showProblem(message: string | undefined): void {
  problemEl.textContent = message ?? "";
  problemEl.hidden = !message;
}

const launch = parseLaunch(location.href);
if (!launch) {
  statusEl.textContent = statusText(lang, "offline");
  statusEl.dataset.status = "offline";
  showProblem(text(lang, "noLaunch"));
} else {
  const store = new BoardStore();
  const connection = new Connection({
    url: websocketUrl(location.href),
    workshopId: launch.workshopId,
    credential: launch.credential,
    displayName: launch.displayName,
    identity: new IdentityStore(browserStorage(), launch.workshopId, launch.credentialKind),
    lastSeenSeq: () => store.lastSeenSeq,
  });
  const sync = new BoardSync(store, connection);

  const renderStatus = () => {
    statusEl.textContent = statusText(lang, connection.status);
    statusEl.dataset.status = connection.status;
    const problem = connection.lastError;
    if (connection.status === "online") showProblem(undefined);
    else if (problem) showProblem(errorText(lang, problem.code) ?? problem.message);
  };

  // Many events can arrive in one frame; draw at most once per frame.
  let frame = 0;
  const renderNotes = () => {
    frame = 0;
    const board = store.visible;
    titleEl.textContent = board.settings.title || "werkstatt";
    const notes = [...board.notes.values()]
      .filter((n) => !n.deleted)
      // Confirmed notes in creation order, then the still pending ones (seq 0).
      .sort((a, b) => {
        const sa = a.createdSeq === 0n ? Number.MAX_SAFE_INTEGER : Number(a.createdSeq);
        const sb = b.createdSeq === 0n ? Number.MAX_SAFE_INTEGER : Number(b.createdSeq);
        return sa - sb || (a.id < b.id ? -1 : 1);
      });
    notesEl.replaceChildren(
      ...notes.map((note) => {
        const li = document.createElement("li");
        li.textContent = note.text;
        if (note.createdSeq === 0n) li.className = "pending";
        return li;
      }),
    );
  };
  const scheduleNotes = () => {
    if (frame === 0) frame = requestAnimationFrame(renderNotes);
  };

  connection.statusChanges.add(() => {
    renderStatus();
    form.hidden = connection.status === "offline" && connection.lastError !== undefined;
  });
  store.changes.add(scheduleNotes);
  store.rejections.add((r) => showProblem(rejectionText(lang, r.code, r.reason)));
  sync.serverErrors.add((e) => {
    if (!e.fatal) showProblem(errorText(lang, e.code) ?? e.message);
  });

  form.hidden = false;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    if (value === "") return;
    const count = store.visible.notes.size;
    sync.propose({
      kind: {
        case: "createNote",
        value: { id: randomId(), text: value, color: Color.YELLOW, position: { x: (count % 8) * 180, y: Math.floor(count / 8) * 180 } },
      },
    });
    input.value = "";
  });

  // Do not sit out a long backoff delay once the device is usable again.
  window.addEventListener("online", () => connection.reconnectNow());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") connection.reconnectNow();
  });
  window.addEventListener("pagehide", () => connection.stop());
  window.addEventListener("pageshow", (ev) => {
    if (ev.persisted) connection.start(); // back from the back/forward cache
  });

  connection.start();
  renderStatus();
  renderNotes();
}
