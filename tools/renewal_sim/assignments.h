// File: assignments.h
//
// Assignments: which simulated users each recsystem is assigned (seed-systems.md §1.3: the
// backend assigns users to recsystems, tells them with assigned_user / unassigned_user, lists
// them in GET /v1/user_assignments, and rotates the assignments from time to time).
//
// Policy (deterministic): recsystems are numbered 0..n-1 in the order they became known; with
// k = recsystems_per_user (0 or >= n: every recsystem), user i is assigned at rotation epoch e
// to recsystems (i + e + j) mod n for j = 0..k-1. So each user has k recsystems (a head-to-head
// among them when k >= 2), users spread evenly, and each Rotate() moves every user on by one
// recsystem when k < n (and changes nothing when k >= n).
//
// Thread safety: not thread-safe; the simulator guards it with its own mutex.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace recplat::renewal_sim {

class Assignments {
 public:
  struct Change {
    std::string recsystem;
    std::string user_id;
    bool assigned = false;  // false: unassigned
  };

  Assignments(std::vector<std::string> users, size_t recsystems_per_user);

  // Adds a recsystem (no-op when known). Returns the changes it causes, assigned ones first.
  std::vector<Change> AddRecsystem(const std::string& recsystem);
  // Next epoch; returns the changes, unassignments first.
  std::vector<Change> Rotate();

  bool Knows(const std::string& recsystem) const;
  const std::vector<std::string>& recsystems() const { return recsystems_; }
  int64_t epoch() const { return epoch_; }
  // Users of a recsystem, in user order (empty for an unknown one).
  std::vector<std::string> UsersOf(const std::string& recsystem) const;
  // Indices (into recsystems()) of the recsystems of user `user_index`, ascending.
  std::vector<size_t> RecsystemsOf(size_t user_index) const;

 private:
  // assigned[r][u] for the current epoch and recsystem list.
  std::vector<std::vector<bool>> Table() const;
  std::vector<Change> Diff(const std::vector<std::vector<bool>>& before,
                           const std::vector<std::vector<bool>>& after) const;

  const std::vector<std::string> users_;
  const size_t per_user_;
  std::vector<std::string> recsystems_;
  int64_t epoch_ = 0;
};

}  // namespace recplat::renewal_sim
