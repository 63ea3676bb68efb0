// granary: write a grain in AssemblyScript. The one module a grain imports; the canonical ABI
// behind it is written by hand (abi.ts). See README.md.

export { Event, Grain, Reply, register } from "./grain";
export { Cancelled, Published, cancelReminder, publish, setReminder } from "./reminders";
export {
  CallError, CallErrorKind, CallResult, GrainId, LogLevel, call, loadObject, loadState, log,
  saveState, selfId, send, setReceiveTimeout,
} from "./host";
export { JsonObject, ObjectBuilder, badPayload, parseObject, quoteJson, writeJsonString } from "./json";
export { ByteWriter, decodeUtf8, encodeUtf8 } from "./bytes";
export { PAYLOAD_LIMIT } from "./abi";
