#pragma once
// Builders for board ops, so tests read as the user's actions.
#include <string>
#include <vector>

#include "werkstatt/v1/board.pb.h"

namespace werkstatt::test::ops {

inline v1::Op join(const std::string& id, const std::string& name, v1::Role role) {
  v1::Op op;
  auto* p = op.mutable_participant_joined()->mutable_participant();
  p->set_id(id);
  p->set_display_name(name);
  p->set_role(role);
  return op;
}

inline v1::Op leave(const std::string& id) {
  v1::Op op;
  op.mutable_participant_left()->set_participant_id(id);
  return op;
}

inline v1::Op create_note(const std::string& id, const std::string& text, double x = 0, double y = 0,
                          const std::string& area = "") {
  v1::Op op;
  auto* c = op.mutable_create_note();
  c->set_id(id);
  c->set_text(text);
  c->mutable_position()->set_x(x);
  c->mutable_position()->set_y(y);
  c->set_area_id(area);
  return op;
}

inline v1::Op update_note_text(const std::string& id, const std::string& text) {
  v1::Op op;
  auto* u = op.mutable_update_note();
  u->set_id(id);
  u->add_mask(v1::NOTE_FIELD_TEXT);
  u->set_text(text);
  return op;
}

inline v1::Op update_note_color(const std::string& id, v1::Color color) {
  v1::Op op;
  auto* u = op.mutable_update_note();
  u->set_id(id);
  u->add_mask(v1::NOTE_FIELD_COLOR);
  u->set_color(color);
  return op;
}

inline v1::Op create_area(const std::string& id, const std::string& title, double x = 0, double y = 0,
                          double w = 1000, double h = 1000) {
  v1::Op op;
  auto* a = op.mutable_create_area();
  a->set_id(id);
  a->set_title(title);
  a->mutable_rect()->set_x(x);
  a->mutable_rect()->set_y(y);
  a->mutable_rect()->set_width(w);
  a->mutable_rect()->set_height(h);
  return op;
}

inline v1::Op rename_area(const std::string& id, const std::string& title) {
  v1::Op op;
  auto* u = op.mutable_update_area();
  u->set_id(id);
  u->add_mask(v1::AREA_FIELD_TITLE);
  u->set_title(title);
  return op;
}

inline v1::Op rename_cluster(const std::string& id, const std::string& title) {
  v1::Op op;
  auto* u = op.mutable_update_cluster();
  u->set_id(id);
  u->add_mask(v1::CLUSTER_FIELD_TITLE);
  u->set_title(title);
  return op;
}

inline v1::Op create_cluster(const std::string& id, const std::string& title, std::vector<std::string> notes = {}) {
  v1::Op op;
  auto* c = op.mutable_create_cluster();
  c->set_id(id);
  c->set_title(title);
  for (auto& n : notes) c->add_note_ids(n);
  return op;
}

inline v1::Op move(v1::ObjectKind kind, const std::string& id, double x, double y) {
  v1::Op op;
  auto* m = op.mutable_move();
  m->mutable_target()->set_kind(kind);
  m->mutable_target()->set_id(id);
  m->mutable_position()->set_x(x);
  m->mutable_position()->set_y(y);
  return op;
}

inline v1::Op remove(v1::ObjectKind kind, const std::string& id) {
  v1::Op op;
  op.mutable_delete_()->mutable_target()->set_kind(kind);
  op.mutable_delete_()->mutable_target()->set_id(id);
  return op;
}

inline v1::Op restore(v1::ObjectKind kind, const std::string& id) {
  v1::Op op;
  op.mutable_restore()->mutable_target()->set_kind(kind);
  op.mutable_restore()->mutable_target()->set_id(id);
  return op;
}

inline v1::Op add_to_cluster(const std::string& cluster, const std::string& note) {
  v1::Op op;
  op.mutable_add_to_cluster()->set_cluster_id(cluster);
  op.mutable_add_to_cluster()->set_note_id(note);
  return op;
}

inline v1::Op remove_from_cluster(const std::string& note) {
  v1::Op op;
  op.mutable_remove_from_cluster()->set_note_id(note);
  return op;
}

inline v1::Op vote(const std::string& note) {
  v1::Op op;
  op.mutable_cast_vote()->set_note_id(note);
  return op;
}

inline v1::Op retract(const std::string& note) {
  v1::Op op;
  op.mutable_retract_vote()->set_note_id(note);
  return op;
}

inline v1::Op lock(bool locked) {
  v1::Op op;
  op.mutable_update_settings()->add_mask(v1::SETTINGS_FIELD_LOCKED);
  op.mutable_update_settings()->mutable_settings()->set_locked(locked);
  return op;
}

}  // namespace werkstatt::test::ops
