#pragma once
// The board as an image: SVG (text stays text: searchable, accessible,
// small), PNG and one PDF page — drawn on the server with cairo/pango, so
// the CLI and the replay API need no browser.
//
// Input is a state as the record shows it (Board::record_view, e.g. a
// SessionRecord's): notes still private to their author are not in it,
// unrevealed ones are left out here too, ballots are counts. Areas, cluster
// frames and notes are drawn where the board has them, notes with their
// colour, text (wrapped as on the board) and dots. Pure functions of the
// state: the same state gives the same bytes (fonts: DejaVu Sans from
// Debian's fonts-dejavu-core). Thread-safe (each call has its own surfaces).
#include <cairo.h>

#include <string>

#include "werkstatt/v1/board.pb.h"

namespace werkstatt::render {

enum class ImageFormat { svg, png };

// Encoded image of the whole board (every live area and note), or of an
// empty page when there is nothing on it. PNG: at most 4,096 pixels on the
// longer side.
[[nodiscard]] std::string board_image(const v1::BoardState& record, ImageFormat format);

// Draws the board into the rectangle (x, y, width, height) of `cr` (units
// of its surface), scaled to fit and centred. For the PDF minutes.
void draw_board(cairo_t* cr, const v1::BoardState& record, double x, double y, double width, double height);

}  // namespace werkstatt::render
