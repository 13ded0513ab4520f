// File: status_macros.h
//
// RECPLAT_RETURN_IF_ERROR and RECPLAT_ASSIGN_OR_RETURN: early returns on absl::Status errors.
// Bookworm's Abseil does not ship public equivalents.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RECPLAT_STATUS_CONCAT_INNER_(a, b) a##b
#define RECPLAT_STATUS_CONCAT_(a, b) RECPLAT_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function if not OK.
#define RECPLAT_RETURN_IF_ERROR(expr)                   \
  do {                                                  \
    ::absl::Status recplat_status_ = (expr);            \
    if (!recplat_status_.ok()) return recplat_status_;  \
  } while (0)

// `RECPLAT_ASSIGN_OR_RETURN(lhs, expr)`: evaluates `expr` (an absl::StatusOr<T>); on error returns
// its status, otherwise assigns (moves) the value to `lhs`, which may be a declaration.
#define RECPLAT_ASSIGN_OR_RETURN(lhs, expr)                                                    \
  RECPLAT_ASSIGN_OR_RETURN_IMPL_(RECPLAT_STATUS_CONCAT_(recplat_statusor_, __LINE__), lhs, \
                                 expr)

#define RECPLAT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()
