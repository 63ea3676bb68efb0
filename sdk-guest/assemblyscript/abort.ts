// AssemblyScript's abort (a failed assert, an index out of range, a null dereference), bound by
// `asc --use abort=sdk-guest/assemblyscript/abort/grainAbort` in place of the default env.abort
// import, which a grain component may not have. It logs why, then traps: the node discards
// the instance and fails the call.

import { LogLevel, log } from "./host";

// An abort while logging an abort (out of memory, say) must not recurse.
let trapping = false;

/** Logs message at error level, then traps. */
export function trap(message: string): void {
  if (!trapping) {
    trapping = true;
    log(LogLevel.Error, message);
  }
  unreachable();
}

// The defaults let a grain call abort("why") as in any AssemblyScript program.
export function grainAbort(
  message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0,
): void {
  const why = message == null ? "abort" : message;
  const where = fileName == null ? "" : " at " + fileName + ":" + line.toString() + ":" + column.toString();
  trap("abort: " + why + where);
}
