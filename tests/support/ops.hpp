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

inline v1::Op forget(std::vector<std::string> ids) {
  v1::Op op;
  auto* f = op.mutable_forget_participants();
  for (auto& id : ids) f->add_participant_ids(std::move(id));
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

inline v1::Op merge_notes(const std::string& into, const std::string& from, const std::string& text = "") {
  v1::Op op;
  op.mutable_merge_notes()->set_into_note_id(into);
  op.mutable_merge_notes()->set_from_note_id(from);
  op.mutable_merge_notes()->set_text(text);
  return op;
}

inline v1::Op set_phase_notes(const std::string& phase_id, const std::string& text) {
  v1::Op op;
  op.mutable_set_phase_notes()->set_phase_id(phase_id);
  op.mutable_set_phase_notes()->set_text(text);
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

inline v1::Op vote_cluster(const std::string& cluster) {
  v1::Op op;
  op.mutable_cast_vote()->set_cluster_id(cluster);
  return op;
}

inline v1::Op retract_cluster(const std::string& cluster) {
  v1::Op op;
  op.mutable_retract_vote()->set_cluster_id(cluster);
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

inline v1::Op open_round(const std::string& id, std::uint32_t dots = 5, std::uint32_t per_note = 3, bool live = false,
                        std::vector<std::string> scope_areas = {}) {
  v1::Op op;
  auto* r = op.mutable_open_voting_round()->mutable_round();
  r->set_id(id);
  r->set_title("Runde " + id);
  r->set_dots_per_participant(dots);
  r->set_max_dots_per_note(per_note);
  r->set_live_counts(live);
  for (auto& a : scope_areas) r->add_scope_area_ids(a);
  return op;
}

inline v1::Op close_round(const std::string& id) {
  v1::Op op;
  op.mutable_close_voting_round()->set_round_id(id);
  return op;
}

inline v1::Phase phase(const std::string& id, v1::PhaseKind kind, v1::PhasePermissions permissions,
                       bool private_collection = false, bool facilitators_see_private = false) {
  v1::Phase p;
  p.set_id(id);
  p.set_name("Phase " + id);
  p.set_kind(kind);
  p.set_planned_seconds(600);
  *p.mutable_permissions() = permissions;
  p.set_private_collection(private_collection);
  p.set_facilitators_see_private(facilitators_see_private);
  return p;
}

inline v1::Op set_agenda(std::vector<v1::Phase> phases) {
  v1::Op op;
  for (auto& p : phases) *op.mutable_set_agenda()->add_phases() = std::move(p);
  return op;
}

inline v1::Op go_to(const std::string& phase_id, bool start_timer = false) {
  v1::Op op;
  op.mutable_go_to_phase()->set_phase_id(phase_id);
  op.mutable_go_to_phase()->set_start_timer(start_timer);
  return op;
}

inline v1::Op reveal_all() {
  v1::Op op;
  op.mutable_reveal()->set_all(true);
  return op;
}

inline v1::Op reveal_participant(const std::string& id) {
  v1::Op op;
  op.mutable_reveal()->set_participant_id(id);
  return op;
}

inline v1::Op reveal_area(const std::string& id) {
  v1::Op op;
  op.mutable_reveal()->set_area_id(id);
  return op;
}

inline v1::Op timer(v1::TimerControl::Action action, std::int64_t duration_ms = 0, std::int64_t delta_ms = 0,
                    bool lock_on_expiry = false) {
  v1::Op op;
  op.mutable_timer()->set_action(action);
  op.mutable_timer()->set_duration_ms(duration_ms);
  op.mutable_timer()->set_delta_ms(delta_ms);
  op.mutable_timer()->set_lock_on_expiry(lock_on_expiry);
  return op;
}

inline v1::Op set_role(const std::string& id, v1::Role role) {
  v1::Op op;
  op.mutable_set_role()->set_participant_id(id);
  op.mutable_set_role()->set_role(role);
  return op;
}

inline v1::Op rename(const std::string& id, const std::string& name) {
  v1::Op op;
  op.mutable_rename_participant()->set_participant_id(id);
  op.mutable_rename_participant()->set_display_name(name);
  return op;
}

inline v1::Op remove_participant(const std::string& id) {
  v1::Op op;
  op.mutable_remove_participant()->set_participant_id(id);
  return op;
}

inline v1::Op rotate_join_code(const std::string& code) {
  v1::Op op;
  op.mutable_rotate_join_code()->set_join_code(code);
  return op;
}

inline v1::Op follow_me(bool active) {
  v1::Op op;
  op.mutable_set_follow_me()->set_active(active);
  return op;
}

inline v1::Op raise_hand() {
  v1::Op op;
  op.mutable_raise_hand();
  return op;
}

inline v1::Op lower_hand(const std::string& id) {
  v1::Op op;
  op.mutable_lower_hand()->set_participant_id(id);
  return op;
}

inline v1::Op close_workshop() {
  v1::Op op;
  op.mutable_close_workshop();
  return op;
}

inline v1::Op lock_area(const std::string& id, bool locked) {
  v1::Op op;
  auto* u = op.mutable_update_area();
  u->set_id(id);
  u->add_mask(v1::AREA_FIELD_LOCKED);
  u->set_locked(locked);
  return op;
}

inline v1::Op pseudonymous(bool on) {
  v1::Op op;
  op.mutable_update_settings()->add_mask(v1::SETTINGS_FIELD_PSEUDONYMOUS);
  op.mutable_update_settings()->mutable_settings()->set_pseudonymous(on);
  return op;
}

}  // namespace werkstatt::test::ops
