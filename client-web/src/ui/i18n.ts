// User-facing texts in German and English. German is the first language of
// the target workshops; every key must exist in both (the type checks it).
// The language follows the browser until the user picks one, which is then
// remembered on the device.
import { Color, RejectCode, Role } from "../gen/werkstatt/v1/board_pb";
import { ErrorCode } from "../gen/werkstatt/v1/protocol_pb";
import type { ConnectionStatus } from "../net/connection";
import type { KeyValueStorage } from "../net/identity";
import { Listeners } from "../util/listeners";

export type Language = "de" | "en";

const de = {
  appName: "werkstatt",
  // connection
  offline: "Nicht verbunden",
  connecting: "Verbinde …",
  online: "Verbunden",
  reconnecting: "Verbindung unterbrochen – verbinde neu …",
  unsent: "{n} Änderungen warten auf die Verbindung",
  unsent_one: "1 Änderung wartet auf die Verbindung",
  reconnectingShort: "Verbinde neu …",
  unsentShort: "{n} ausstehend",
  // join
  joinTitle: "Workshop beitreten",
  joinLead: "Geben Sie Ihren Namen ein. Er wird den anderen angezeigt und auf diesem Gerät gespeichert.",
  yourName: "Ihr Name",
  namePlaceholder: "z. B. Anna Berger",
  joinCode: "Zugangscode",
  joinCodeHint: "Steht auf der Leinwand, z. B. K7M4P2",
  workshopLink: "Workshop-Link oder -Kennung",
  join: "Beitreten",
  joinAsFacilitator: "Als Moderation beitreten",
  noLaunch: "Dieser Link ist unvollständig. Bitte öffnen Sie den Einladungslink der Moderation oder scannen Sie den QR-Code.",
  codeUnknown: "Zu diesem Code gibt es keinen laufenden Workshop. Bitte prüfen Sie den Code oder nutzen Sie den Link.",
  codeLookupUnavailable: "Bitte öffnen Sie den Link oder QR-Code der Moderation – der Code allein reicht auf diesem Server nicht.",
  tooManyTries: "Zu viele falsche Codes oder zu viele Änderungen in kurzer Zeit aus Ihrem Netz. Bitte warten Sie eine Minute.",
  // errors
  badCredential: "Der Zugangscode ist ungültig. Bitte prüfen Sie den Link oder fragen Sie die Moderation nach dem aktuellen Code.",
  unknownWorkshop: "Diesen Workshop gibt es nicht (mehr). Bitte prüfen Sie den Link.",
  protocolVersion: "Diese Seite ist veraltet. Bitte laden Sie sie neu.",
  workshopFull: "Der Workshop ist voll. Bitte wenden Sie sich an die Moderation.",
  readOnlyServer: "Der Server kann gerade nichts speichern; das Board ist schreibgeschützt, bis der Speicher wieder verfügbar ist.",
  shuttingDown: "Der Server startet neu – die Verbindung wird gleich wiederhergestellt.",
  removed: "Die Moderation hat Sie aus diesem Workshop entfernt.",
  reload: "Neu laden",
  enterCode: "Code eingeben",
  // top bar
  openBoard: "Offenes Board",
  phaseOf: "Phase {i}/{n}",
  privateCollection: "Private Sammlung",
  timerExpired: "Zeit abgelaufen",
  timerPaused: "pausiert",
  timeLeft: "Verbleibende Zeit",
  boardLocked: "Board gesperrt",
  workshopClosed: "Workshop beendet",
  dotsLeft: "{n} von {m} Punkten übrig",
  votingOpen: "Abstimmung läuft",
  onlineCount: "{n} online",
  onlineList: "Wer ist online",
  raiseHand: "Hand heben",
  lowerHand: "Hand senken",
  handRaised: "Hand gehoben",
  language: "Sprache: Deutsch",
  switchLanguage: "Switch to English",
  facilitation: "Moderation",
  openPanel: "Moderationspanel öffnen",
  closePanel: "Moderationspanel schließen",
  you: "Sie",
  role_1: "Moderation",
  role_2: "Teilnehmend",
  role_3: "Beobachtung",
  role_4: "System",
  person: "Person",
  guest: "Gast",
  // board
  addNote: "Karte hinzufügen",
  addNoteTo: "Karte zu „{area}“ hinzufügen",
  newNoteHint: "Doppelklick oder Taste N: neue Karte",
  newNote: "Neue Karte",
  notePlaceholder: "Idee, Herausforderung, Lösung …",
  save: "Speichern",
  cancel: "Abbrechen",
  editNote: "Bearbeiten",
  deleteNote: "Löschen",
  noteDeleted: "Karte gelöscht",
  undo: "Rückgängig",
  noteColor: "Farbe",
  color_1: "Gelb",
  color_2: "Orange",
  color_3: "Rosa",
  color_4: "Grün",
  color_5: "Blau",
  color_6: "Lila",
  color_7: "Grau",
  onlyYou: "nur für dich sichtbar",
  stillPrivate: "noch privat",
  privateNotes: "{n} private Karten",
  privateNotes_one: "1 private Karte",
  persons: "{n} Personen",
  persons_one: "1 Person",
  privateNotesOf: "{notes} von {people}",
  castVote: "Punkt vergeben",
  retractVote: "Punkt zurücknehmen",
  dotsOnNote: "{n} Punkte",
  dotsOnNote_one: "1 Punkt",
  yourDots: "Ihre Punkte: {n}",
  cluster: "Cluster",
  clusterPlaceholder: "Cluster benennen …",
  clusterTitle: "Titel des Clusters",
  clusterCount: "{n} Karten",
  clusterCount_one: "1 Karte",
  removeFromCluster: "Aus Cluster lösen",
  dissolveCluster: "Cluster auflösen",
  zoomIn: "Vergrößern",
  zoomOut: "Verkleinern",
  zoomFit: "Alles zeigen",
  zoomLevel: "Zoom",
  following: "Sie folgen {name}",
  stopFollowing: "Nicht mehr folgen",
  followAgain: "Wieder folgen",
  notFollowing: "Die Moderation führt – Sie schauen sich gerade selbst um.",
  broughtHere: "{name} hat alle hierher geholt",
  noteLabel: "Karte von {author}: {text}",
  noteInCluster: "Karte von {author} im Cluster „{cluster}“: {text}",
  emptyNote: "(leer)",
  onBoard: "Weitere Karten",
  editHint: "Enter speichert · Shift+Enter neue Zeile · Esc bricht ab",
  typing: "{name} schreibt …",
  areaLocked: "Bereich gesperrt",
  readOnlyHint: "Nur ansehen",
  emptyArea: "Noch keine Karten",
  boardLabel: "Board. Leertaste + Ziehen oder Ziehen auf freier Fläche verschiebt, Strg + Mausrad zoomt.",
  shortcuts: "N neue Karte · Entf löschen · Strg+Z rückgängig · +/− zoomen · 0 alles zeigen",
  // notices
  handRaisedBy: "{name} hat sich gemeldet",
  phaseStarted: "Neue Phase: {name}",
  revealedNotice: "Die Moderation hat private Karten aufgedeckt",
  roundOpened: "Abstimmung gestartet: {n} Punkte pro Person",
  roundClosed: "Abstimmung beendet",
  lockedNotice: "Die Moderation hat das Board gesperrt",
  unlockedNotice: "Das Board ist wieder freigegeben",
  rejected: "Die Änderung wurde nicht übernommen",
  // reject codes
  reject_1: "Das Objekt gibt es nicht (mehr).",
  reject_2: "Ein Wert ist ungültig.",
  reject_3: "Der Text ist zu lang (höchstens 500 Zeichen).",
  reject_4: "Das ist in dieser Phase nicht erlaubt.",
  reject_5: "Die Moderation hat das Board oder diesen Bereich gesperrt.",
  reject_6: "Ein Limit ist erreicht.",
  reject_7: "Diese Kennung ist schon vergeben.",
  reject_8: "Das Objekt wurde gelöscht.",
  reject_9: "Das Objekt ist nicht gelöscht.",
  reject_10: "Ungültige Kennung.",
  reject_11: "Leere Änderung.",
  reject_12: "Zu viele Änderungen auf einmal – bitte kurz warten.",
  reject_13: "Der Server kann gerade nichts speichern.",
  reject_14: "Sie haben auf dieser Karte keinen Punkt.",
  reject_15: "Es läuft keine Abstimmung.",
  reject_16: "Diese Karte gehört nicht zur laufenden Abstimmung.",
  reject_17: "Der Workshop ist beendet.",
  reject_18: "Sie wurden aus dem Workshop entfernt.",
  reject_19: "Phasen gehen nur einen Schritt vorwärts (oder zurück zu einer früheren).",
  // facilitator panel
  panelTitle: "Moderation",
  agenda: "Ablauf",
  notStarted: "Noch nicht gestartet",
  nextPhase: "Nächste Phase",
  startAgenda: "Ablauf starten",
  goToPhase: "Zu „{name}“ wechseln",
  withTimer: "Timer mit der Phase starten",
  plannedMinutes: "{n} Min.",
  current: "aktuell",
  timer: "Timer",
  minutes: "Minuten",
  startTimer: "Timer starten",
  pauseTimer: "Pausieren",
  resumeTimer: "Fortsetzen",
  plusMinute: "+1 Min.",
  minusMinute: "−1 Min.",
  addMinute: "Eine Minute mehr",
  removeMinute: "Eine Minute weniger",
  stopTimer: "Timer stoppen",
  lockOnExpiry: "Board bei Ablauf sperren",
  locks: "Bereiche & Sperren",
  addArea: "Bereich hinzufügen",
  newAreaTitle: "Titel des neuen Bereichs",
  renameArea: "„{area}“ umbenennen",
  deleteArea: "„{area}“ löschen",
  areaHasNotes: "„{area}“ enthält Karten und kann nicht gelöscht werden",
  lockBoard: "Board sperren",
  unlockBoard: "Board freigeben",
  lockArea: "„{area}“ sperren",
  unlockArea: "„{area}“ freigeben",
  privacy: "Private Sammlung",
  privacyLead: "Während einer privaten Phase sehen Teilnehmende nur ihre eigenen Karten.",
  revealAll: "Alle aufdecken",
  revealArea: "Bereich „{area}“ aufdecken",
  revealPerson: "Karten von {name} aufdecken",
  nothingHidden: "Keine unaufgedeckten Karten.",
  hiddenSummary: "{n} unaufgedeckte Karten",
  hiddenSummary_one: "1 unaufgedeckte Karte",
  voting: "Abstimmung",
  roundTitle: "Frage der Runde",
  roundTitleDefault: "Was ist am wichtigsten?",
  dotsPerPerson: "Punkte pro Person",
  maxPerNote: "Höchstens pro Karte",
  scope: "Abstimmen über",
  scopeAll: "alle Karten",
  liveCounts: "Zwischenstand für alle sichtbar",
  openRound: "Abstimmung starten",
  closeRound: "Abstimmung beenden",
  results: "Ergebnisse",
  roundN: "Runde {n}",
  noResults: "Keine Punkte vergeben.",
  viewSection: "Ansicht",
  followMe: "Alle folgen meiner Ansicht",
  followMeActive: "Alle folgen Ihrer Ansicht",
  endFollowMe: "Folgen beenden",
  bringHere: "Alle hierher holen",
  people: "Teilnehmende",
  rename: "Umbenennen",
  newName: "Neuer Name für {name}",
  remove: "Entfernen",
  confirmRemove: "{name} aus dem Workshop entfernen? Die Karten bleiben erhalten.",
  promote: "Zur Moderation machen",
  demote: "Zu Teilnehmenden machen",
  hands: "Meldungen",
  noHands: "Keine Meldungen.",
  invite: "Einladen",
  currentCode: "Aktueller Zugangscode",
  rotateCode: "Neuen Code erzeugen",
  confirmRotate: "Neuen Zugangscode erzeugen? Der alte Code funktioniert dann nicht mehr (bereits Verbundene bleiben).",
  shortLink: "Link",
  copy: "Kopieren",
  copied: "Kopiert",
  projector: "Für die Leinwand zeigen",
  projectorTitle: "Jetzt mitmachen",
  projectorStep1: "QR-Code scannen oder Link öffnen",
  projectorStep2: "Code eingeben:",
  close: "Schließen",
  settings: "Einstellungen",
  workshopTitle: "Titel des Workshops",
  pseudonymous: "Pseudonym (Teilnehmende sehen „Person 1, 2, …“)",
  export: "Export",
  exportMd: "Protokoll (Markdown)",
  exportCsv: "Tabelle (CSV)",
  exportJson: "Daten (JSON)",
  exportFailed: "Der Export ist fehlgeschlagen ({status}).",
  openReplay: "Replay öffnen",
  closeWorkshop: "Workshop beenden",
  confirmClose: "Workshop beenden? Danach kann niemand mehr etwas ändern; Replay und Export bleiben verfügbar.",
  // replay
  replay: "Replay",
  replayOf: "Replay: {title}",
  play: "Abspielen",
  pause: "Anhalten",
  speed: "Geschwindigkeit",
  stepBack: "Ein Ereignis zurück",
  stepForward: "Ein Ereignis vor",
  jumpToPhase: "Zu Phase springen",
  chooseMoment: "Zeitpunkt",
  eventOf: "Ereignis {seq} von {n}",
  exportAt: "Export zu diesem Zeitpunkt",
  loading: "Lade …",
  replayNoToken: "Für das Replay braucht es den Moderationslink (mit Token).",
  replayUnavailable: "Das Replay ist nicht verfügbar: {reason}",
  timeline: "Zeitleiste",
  activity: "Aktivität pro Minute",
  marker_join: "{label} kommt",
  marker_leave: "{label} geht",
  backToLive: "Zum Live-Board",
} as const;

type Texts = { readonly [K in keyof typeof de]: string };

const en: Texts = {
  appName: "werkstatt",
  offline: "Not connected",
  connecting: "Connecting …",
  online: "Connected",
  reconnecting: "Connection lost – reconnecting …",
  unsent: "{n} changes waiting for the connection",
  unsent_one: "1 change waiting for the connection",
  reconnectingShort: "Reconnecting …",
  unsentShort: "{n} waiting",
  joinTitle: "Join the workshop",
  joinLead: "Enter your name. Others will see it; this device remembers it.",
  yourName: "Your name",
  namePlaceholder: "e.g. Anna Berger",
  joinCode: "Access code",
  joinCodeHint: "Shown on the projector, e.g. K7M4P2",
  workshopLink: "Workshop link or id",
  join: "Join",
  joinAsFacilitator: "Join as facilitator",
  noLaunch: "This link is incomplete. Please open the invitation link from the facilitator or scan the QR code.",
  codeUnknown: "No running workshop has this code. Please check the code or use the link.",
  codeLookupUnavailable: "Please open the facilitator's link or QR code – this server cannot find a workshop by its code alone.",
  tooManyTries: "Too many wrong codes or too many changes in a short time from your network. Please wait a minute.",
  badCredential: "The access code is not valid. Please check the link or ask the facilitator for the current code.",
  unknownWorkshop: "This workshop does not exist (any more). Please check the link.",
  protocolVersion: "This page is out of date. Please reload it.",
  workshopFull: "The workshop is full. Please talk to the facilitator.",
  readOnlyServer: "The server cannot save right now; the board is read-only until its storage recovers.",
  shuttingDown: "The server is restarting – the connection will be back in a moment.",
  removed: "The facilitator removed you from this workshop.",
  reload: "Reload",
  enterCode: "Enter the code",
  openBoard: "Open board",
  phaseOf: "Phase {i}/{n}",
  privateCollection: "Private collection",
  timerExpired: "Time is up",
  timerPaused: "paused",
  timeLeft: "Time left",
  boardLocked: "Board locked",
  workshopClosed: "Workshop closed",
  dotsLeft: "{n} of {m} dots left",
  votingOpen: "Voting open",
  onlineCount: "{n} online",
  onlineList: "Who is online",
  raiseHand: "Raise hand",
  lowerHand: "Lower hand",
  handRaised: "Hand raised",
  language: "Language: English",
  switchLanguage: "Auf Deutsch umschalten",
  facilitation: "Facilitation",
  openPanel: "Open facilitator panel",
  closePanel: "Close facilitator panel",
  you: "you",
  role_1: "Facilitator",
  role_2: "Participant",
  role_3: "Observer",
  role_4: "System",
  person: "Person",
  guest: "Guest",
  addNote: "Add note",
  addNoteTo: "Add a note to “{area}”",
  newNoteHint: "Double-click or press N: new note",
  newNote: "New note",
  notePlaceholder: "Idea, challenge, solution …",
  save: "Save",
  cancel: "Cancel",
  editNote: "Edit",
  deleteNote: "Delete",
  noteDeleted: "Note deleted",
  undo: "Undo",
  noteColor: "Colour",
  color_1: "Yellow",
  color_2: "Orange",
  color_3: "Pink",
  color_4: "Green",
  color_5: "Blue",
  color_6: "Purple",
  color_7: "Grey",
  onlyYou: "only visible to you",
  stillPrivate: "still private",
  privateNotes: "{n} private notes",
  privateNotes_one: "1 private note",
  persons: "{n} people",
  persons_one: "1 person",
  privateNotesOf: "{notes} by {people}",
  castVote: "Add a dot",
  retractVote: "Take a dot back",
  dotsOnNote: "{n} dots",
  dotsOnNote_one: "1 dot",
  yourDots: "Your dots: {n}",
  cluster: "Cluster",
  clusterPlaceholder: "Name this cluster …",
  clusterTitle: "Cluster title",
  clusterCount: "{n} notes",
  clusterCount_one: "1 note",
  removeFromCluster: "Remove from cluster",
  dissolveCluster: "Dissolve cluster",
  zoomIn: "Zoom in",
  zoomOut: "Zoom out",
  zoomFit: "Show everything",
  zoomLevel: "Zoom",
  following: "You are following {name}",
  stopFollowing: "Stop following",
  followAgain: "Follow again",
  notFollowing: "The facilitator is leading – you are looking around on your own.",
  broughtHere: "{name} brought everyone here",
  noteLabel: "Note by {author}: {text}",
  noteInCluster: "Note by {author} in cluster “{cluster}”: {text}",
  emptyNote: "(empty)",
  onBoard: "Other notes",
  editHint: "Enter saves · Shift+Enter new line · Esc cancels",
  typing: "{name} is typing …",
  areaLocked: "Area locked",
  readOnlyHint: "View only",
  emptyArea: "No notes yet",
  boardLabel: "Board. Drag empty space or hold space to pan, Ctrl + mouse wheel zooms.",
  shortcuts: "N new note · Del delete · Ctrl+Z undo · +/− zoom · 0 show everything",
  handRaisedBy: "{name} raised their hand",
  phaseStarted: "New phase: {name}",
  revealedNotice: "The facilitator revealed private notes",
  roundOpened: "Voting started: {n} dots each",
  roundClosed: "Voting closed",
  lockedNotice: "The facilitator locked the board",
  unlockedNotice: "The board is open again",
  rejected: "The change was not applied",
  reject_1: "That object does not exist (any more).",
  reject_2: "A value is not valid.",
  reject_3: "The text is too long (at most 500 characters).",
  reject_4: "That is not allowed in this phase.",
  reject_5: "The facilitator has locked the board or this area.",
  reject_6: "A limit has been reached.",
  reject_7: "That id is already in use.",
  reject_8: "That object was deleted.",
  reject_9: "That object is not deleted.",
  reject_10: "Invalid id.",
  reject_11: "Empty change.",
  reject_12: "Too many changes at once – please wait a moment.",
  reject_13: "The server cannot save right now.",
  reject_14: "You have no dot on this note.",
  reject_15: "No voting round is open.",
  reject_16: "This note is not part of the open voting round.",
  reject_17: "The workshop is closed.",
  reject_18: "You were removed from this workshop.",
  reject_19: "Phases move forward one at a time (or back to an earlier one).",
  panelTitle: "Facilitation",
  agenda: "Agenda",
  notStarted: "Not started yet",
  nextPhase: "Next phase",
  startAgenda: "Start the agenda",
  goToPhase: "Go to “{name}”",
  withTimer: "Start the timer with the phase",
  plannedMinutes: "{n} min",
  current: "now",
  timer: "Timer",
  minutes: "Minutes",
  startTimer: "Start timer",
  pauseTimer: "Pause",
  resumeTimer: "Resume",
  plusMinute: "+1 min",
  minusMinute: "−1 min",
  addMinute: "One minute more",
  removeMinute: "One minute less",
  stopTimer: "Stop timer",
  lockOnExpiry: "Lock the board when time is up",
  locks: "Areas & locks",
  addArea: "Add area",
  newAreaTitle: "Title of the new area",
  renameArea: "Rename “{area}”",
  deleteArea: "Delete “{area}”",
  areaHasNotes: "“{area}” holds notes and cannot be deleted",
  lockBoard: "Lock board",
  unlockBoard: "Unlock board",
  lockArea: "Lock “{area}”",
  unlockArea: "Unlock “{area}”",
  privacy: "Private collection",
  privacyLead: "During a private phase participants see only their own notes.",
  revealAll: "Reveal all",
  revealArea: "Reveal area “{area}”",
  revealPerson: "Reveal {name}'s notes",
  nothingHidden: "No unrevealed notes.",
  hiddenSummary: "{n} unrevealed notes",
  hiddenSummary_one: "1 unrevealed note",
  voting: "Voting",
  roundTitle: "Question of the round",
  roundTitleDefault: "What matters most?",
  dotsPerPerson: "Dots per person",
  maxPerNote: "At most per note",
  scope: "Vote on",
  scopeAll: "all notes",
  liveCounts: "Everyone sees the running count",
  openRound: "Start voting",
  closeRound: "Close voting",
  results: "Results",
  roundN: "Round {n}",
  noResults: "No dots were given.",
  viewSection: "View",
  followMe: "Everyone follows my view",
  followMeActive: "Everyone follows your view",
  endFollowMe: "End follow-me",
  bringHere: "Bring everyone here",
  people: "Participants",
  rename: "Rename",
  newName: "New name for {name}",
  remove: "Remove",
  confirmRemove: "Remove {name} from the workshop? Their notes stay.",
  promote: "Make facilitator",
  demote: "Make participant",
  hands: "Raised hands",
  noHands: "No raised hands.",
  invite: "Invite",
  currentCode: "Current access code",
  rotateCode: "New code",
  confirmRotate: "Create a new access code? The old code stops working (people already connected stay).",
  shortLink: "Link",
  copy: "Copy",
  copied: "Copied",
  projector: "Show on the projector",
  projectorTitle: "Join now",
  projectorStep1: "Scan the QR code or open the link",
  projectorStep2: "Enter the code:",
  close: "Close",
  settings: "Settings",
  workshopTitle: "Workshop title",
  pseudonymous: "Pseudonymous (participants see “Person 1, 2, …”)",
  export: "Export",
  exportMd: "Minutes (Markdown)",
  exportCsv: "Table (CSV)",
  exportJson: "Data (JSON)",
  exportFailed: "The export failed ({status}).",
  openReplay: "Open replay",
  closeWorkshop: "Close workshop",
  confirmClose: "Close the workshop? Nobody can change anything afterwards; replay and export stay available.",
  replay: "Replay",
  replayOf: "Replay: {title}",
  play: "Play",
  pause: "Pause",
  speed: "Speed",
  stepBack: "One event back",
  stepForward: "One event forward",
  jumpToPhase: "Jump to phase",
  chooseMoment: "Moment",
  eventOf: "Event {seq} of {n}",
  exportAt: "Export at this moment",
  loading: "Loading …",
  replayNoToken: "The replay needs the facilitator link (with its token).",
  replayUnavailable: "The replay is not available: {reason}",
  timeline: "Timeline",
  activity: "Activity per minute",
  marker_join: "{label} joins",
  marker_leave: "{label} leaves",
  backToLive: "Back to the live board",
};

export type TextKey = keyof typeof de;
const TEXTS: Record<Language, Texts> = { de, en };

/** The text for `key`, with {name} placeholders filled from `params`.
 *  With `n` = 1 the key's `_one` form is used where there is one (German
 *  and English need no other plural forms). */
export function translate(lang: Language, key: TextKey, params: Record<string, string | number> = {}): string {
  const one = `${key}_one`;
  const template = params.n === 1 && one in TEXTS[lang] ? TEXTS[lang][one as TextKey] : TEXTS[lang][key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function languageOf(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "de" || base === "en") return base;
  }
  return "en";
}

export const LANGUAGE_KEY = "werkstatt.language";

/** The UI language: remembered choice, else the browser's. */
export class LanguageState {
  readonly changes = new Listeners<Language>();
  private lang: Language;

  constructor(
    private readonly storage: KeyValueStorage | undefined,
    browserLanguages: readonly string[],
  ) {
    let saved: string | null = null;
    try {
      saved = storage?.getItem(LANGUAGE_KEY) ?? null;
    } catch {
      saved = null;
    }
    this.lang = saved === "de" || saved === "en" ? saved : languageOf(browserLanguages);
  }

  get current(): Language {
    return this.lang;
  }

  set(lang: Language): void {
    if (lang === this.lang) return;
    this.lang = lang;
    try {
      this.storage?.setItem(LANGUAGE_KEY, lang);
    } catch {
      // Kept for this page only.
    }
    this.changes.emit(lang);
  }

  t = (key: TextKey, params?: Record<string, string | number>): string => translate(this.lang, key, params);
}

export function statusText(lang: Language, status: ConnectionStatus): string {
  return translate(lang, status);
}

/** The user-facing sentence for a server error code, if there is one. */
export function errorText(lang: Language, code: ErrorCode | undefined): string | undefined {
  switch (code) {
    case ErrorCode.BAD_CREDENTIAL:
      return translate(lang, "badCredential");
    case ErrorCode.UNKNOWN_WORKSHOP:
      return translate(lang, "unknownWorkshop");
    case ErrorCode.PROTOCOL_VERSION:
      return translate(lang, "protocolVersion");
    case ErrorCode.WORKSHOP_FULL:
      return translate(lang, "workshopFull");
    case ErrorCode.READ_ONLY:
      return translate(lang, "readOnlyServer");
    case ErrorCode.SHUTTING_DOWN:
      return translate(lang, "shuttingDown");
    case ErrorCode.RATE_LIMITED:
      return translate(lang, "tooManyTries");
    default:
      return undefined;
  }
}

/** Why an own change was rolled back, in the user's language; the server's
 *  English reason is the fallback for codes this client does not know. */
export function rejectionText(lang: Language, code: RejectCode, reason: string): string {
  const key = `reject_${code}` as TextKey;
  if (code !== RejectCode.UNSPECIFIED && key in de) return translate(lang, key);
  const t = translate(lang, "rejected");
  return reason ? `${t}: ${reason}` : `${t}.`;
}

export function roleText(lang: Language, role: Role): string {
  const key = `role_${role}` as TextKey;
  return key in de ? translate(lang, key) : "";
}

export function colorText(lang: Language, color: Color): string {
  const key = `color_${color === Color.UNSPECIFIED ? Color.YELLOW : color}` as TextKey;
  return translate(lang, key);
}
