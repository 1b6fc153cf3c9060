#pragma once
// Exports of a recorded session: Markdown minutes ("Protokoll"), CSV and
// JSON. Pure functions of a SessionRecord; the same input always gives the
// same bytes. Times are shown in the process's local time zone (TZ), which a
// German deployment sets to Europe/Berlin.
//
// People appear under the names they chose, as a public record's attendance
// needs; in a pseudonymous workshop participants appear as "Person N" (their
// pseudonym number) and notes carry no author. Minutes hold what the room
// saw: no voter, no note still private to its author.
#include <string>

#include <google/protobuf/message.h>

#include "werkstatt/history/session.hpp"

namespace werkstatt::history {

enum class ExportFormat { markdown, csv, json };

// Parses "md"/"markdown", "csv", "json"; nullopt otherwise.
[[nodiscard]] std::optional<ExportFormat> parse_export_format(std::string_view name);
[[nodiscard]] const char* content_type(ExportFormat format);
// e.g. "werkstatt-<id>-seq42.md"
[[nodiscard]] std::string download_filename(const SessionRecord& session, ExportFormat format);

[[nodiscard]] std::string export_markdown(const SessionRecord& session);
// RFC 4180: comma-separated, CRLF, fields quoted when needed, "" for a quote.
// UTF-8 with a byte order mark so spreadsheet programs keep umlauts intact;
// cells that a spreadsheet would run as a formula (= + - @) are prefixed with '.
[[nodiscard]] std::string export_csv(const SessionRecord& session);
// The proto3 JSON mapping of a v1.Snapshot (workshop id, seq, time, state).
[[nodiscard]] std::string export_json(const SessionRecord& session);
// Any record in the proto3 JSON mapping as every JSON download prints it:
// indented, proto field names, defaults printed.
[[nodiscard]] std::string to_download_json(const google::protobuf::Message& record);
[[nodiscard]] std::string export_as(const SessionRecord& session, ExportFormat format);

}  // namespace werkstatt::history
