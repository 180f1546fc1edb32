#ifndef OCOP_RENAME_NO_REPLACE_H
#define OCOP_RENAME_NO_REPLACE_H

/// Renames `from` to `to` only if nothing is at `to`, in one step: `renameat2` with
/// `RENAME_NOREPLACE` on Linux, `renamex_np` with `RENAME_EXCL` on macOS. Returns 0, or -1
/// with `errno` set (`EEXIST` when something is at `to`; `EINVAL` or `ENOSYS` when the file
/// system or kernel cannot rename without replacing).
int ocop_rename_no_replace(const char *from, const char *to);

#endif
