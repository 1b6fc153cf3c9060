// The server's replay API (facilitator token as a Bearer credential):
//   GET /api/workshops/{id}/timeline              → JSON Timeline
//   GET /api/workshops/{id}/state?seq=N | ?at=MS  → protobuf ReplayState
//   GET /api/workshops/{id}/events?from=A&to=B&limit=L → protobuf EventPage
//   GET /api/workshops/{id}/export?format=md|csv|json[&seq=N] → a download
import { fromBinary } from "@bufbuild/protobuf";
import { EventPageSchema, ReplayStateSchema, type EventPage, type ReplayState } from "../gen/werkstatt/v1/protocol_pb";

export interface TimelineMarker {
  kind: "join" | "leave" | "phase" | string;
  seq: number;
  time_ms: number;
  label: string;
}

export interface Timeline {
  head_seq: number;
  first_ms: number;
  last_ms: number;
  markers: TimelineMarker[];
  activity: { minute_start_ms: number; events: number }[];
}

/** A failed request: `status` 0 for a network failure. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export class ReplayApi {
  constructor(
    readonly workshopId: string,
    private readonly token: string,
    private readonly fetchFn: FetchLike = (url, init) => fetch(url, init),
  ) {}

  private url(path: string, query: Record<string, string> = {}): string {
    const q = new URLSearchParams(query).toString();
    return `/api/workshops/${encodeURIComponent(this.workshopId)}/${path}${q ? `?${q}` : ""}`;
  }

  private async get(path: string, query: Record<string, string>, accept: string): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path, query), { headers: { Authorization: `Bearer ${this.token}`, Accept: accept } });
    } catch (e) {
      throw new ReplayError(0, (e as Error).message);
    }
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      try {
        const body = (await res.json()) as { error?: unknown };
        if (typeof body.error === "string") message = body.error;
      } catch {
        // Not JSON: the status line says enough.
      }
      throw new ReplayError(res.status, message);
    }
    return res;
  }

  async timeline(): Promise<Timeline> {
    const res = await this.get("timeline", {}, "application/json");
    const t = (await res.json()) as Partial<Timeline>;
    return {
      head_seq: Number(t.head_seq ?? 0),
      first_ms: Number(t.first_ms ?? 0),
      last_ms: Number(t.last_ms ?? 0),
      markers: Array.isArray(t.markers) ? t.markers.map((m) => ({ ...m, seq: Number(m.seq), time_ms: Number(m.time_ms) })) : [],
      activity: Array.isArray(t.activity) ? t.activity.map((a) => ({ minute_start_ms: Number(a.minute_start_ms), events: Number(a.events) })) : [],
    };
  }

  async state(seq: bigint): Promise<ReplayState> {
    const res = await this.get("state", { seq: String(seq) }, "application/x-protobuf");
    return fromBinary(ReplayStateSchema, new Uint8Array(await res.arrayBuffer()));
  }

  async stateAt(ms: number): Promise<ReplayState> {
    const res = await this.get("state", { at: String(Math.round(ms)) }, "application/x-protobuf");
    return fromBinary(ReplayStateSchema, new Uint8Array(await res.arrayBuffer()));
  }

  async events(from: bigint, to: bigint, limit: number): Promise<EventPage> {
    const res = await this.get("events", { from: String(from), to: String(to), limit: String(limit) }, "application/x-protobuf");
    return fromBinary(EventPageSchema, new Uint8Array(await res.arrayBuffer()));
  }

  /** The export URL with the token in the query, for links that cannot
   *  send headers (the server accepts ?t= for downloads). */
  exportHref(format: "md" | "csv" | "json", seq?: bigint): string {
    const q: Record<string, string> = { format, t: this.token };
    if (seq !== undefined) q.seq = String(seq);
    return this.url("export", q);
  }

  async exportFile(format: ExportFormat, seq?: bigint): Promise<{ blob: Blob; filename: string }> {
    const q: Record<string, string> = { format };
    if (seq !== undefined) q.seq = String(seq);
    const res = await this.get("export", q, "*/*");
    const disposition = res.headers.get("Content-Disposition") ?? "";
    const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    const filename = match?.[1] ? decodeURIComponent(match[1]) : `werkstatt-${this.workshopId}${seq !== undefined ? `-seq${seq}` : ""}.${format}`;
    return { blob: await res.blob(), filename };
  }
}

/** What GET …/export?format= offers: the minutes (Markdown, PDF), tables
 *  (CSV), the data (JSON) and the board drawn on the server (SVG, PNG). */
export type ExportFormat = "md" | "csv" | "json" | "pdf" | "svg" | "png";
export const EXPORT_FORMATS: readonly { format: ExportFormat; key: "exportMd" | "exportPdf" | "exportCsv" | "exportJson" | "exportSvg" | "exportPng"; short: string }[] = [
  { format: "md", key: "exportMd", short: "Markdown" },
  { format: "pdf", key: "exportPdf", short: "PDF" },
  { format: "csv", key: "exportCsv", short: "CSV" },
  { format: "json", key: "exportJson", short: "JSON" },
  { format: "svg", key: "exportSvg", short: "SVG" },
  { format: "png", key: "exportPng", short: "PNG" },
];
