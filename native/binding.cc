// Module entry: exports the NativeReactor class and the constants its JavaScript side shares.
// Nothing here is process-wide state: every environment (main thread or worker) gets its own
// class and reactors, and each reactor cleans up after its environment (see binding_loop_watch.h).
#include <errno.h>
#include <napi.h>

#include <string>

#include "binding_descriptors.h"
#include "binding_process.h"
#include "binding_reactor.h"
#include "datagram.h"
#include "poller.h"
#include "reactor_core.h"
#include "socket_ops.h"

namespace ioreactor {
namespace {

void SetInt(Napi::Object target, const char* name, uint32_t value) { target.Set(name, Napi::Number::New(target.Env(), value)); }

// interfaceIndex(zone: string): the index of the interface an IPv6 zone names, or -EINVAL.
Napi::Value InterfaceIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return Napi::Number::New(env, -EINVAL);
  const std::string zone = info[0].As<Napi::String>().Utf8Value();
  if (zone.find('\0') != std::string::npos) return Napi::Number::New(env, -EINVAL);
  return Napi::Number::New(env, ScopeOfZone(zone.c_str()));
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeReactor", NativeReactor::DefineClass(env));

  Napi::Array backends = Napi::Array::New(env, 2);
  backends.Set(0u, Napi::String::New(env, kPlatformPollerName));
  backends.Set(1u, Napi::String::New(env, "poll"));
  exports.Set("backends", backends);
  ExportDescriptorFunctions(env, exports);
  ExportProcessFunctions(env, exports);
  exports.Set("platformBackend", Napi::String::New(env, kPlatformPollerName));
  exports.Set("datagramSizeKnown", Napi::Boolean::New(env, kReceiveTellsRealSize));
  exports.Set("interfaceIndex", Napi::Function::New<InterfaceIndex>(env, "interfaceIndex"));

  Napi::Object c = Napi::Object::New(env);
  SetInt(c, "INTEREST_READ", kInterestRead);
  SetInt(c, "INTEREST_WRITE", kInterestWrite);
  SetInt(c, "TRIGGER_LEVEL", static_cast<uint32_t>(Trigger::kLevel));
  SetInt(c, "TRIGGER_EDGE", static_cast<uint32_t>(Trigger::kEdge));
  SetInt(c, "TRIGGER_ONESHOT", static_cast<uint32_t>(Trigger::kOneshot));
  SetInt(c, "READY_READ", kReadyRead);
  SetInt(c, "READY_WRITE", kReadyWrite);
  SetInt(c, "READY_READ_HANGUP", kReadyReadHangup);
  SetInt(c, "READY_HANGUP", kReadyHangup);
  SetInt(c, "READY_ERROR", kReadyError);
  SetInt(c, "READY_INVALID", kReadyInvalid);
  SetInt(c, "RECORD_INTS", kRecordInts);
  SetInt(c, "ARENA_BYTES", static_cast<uint32_t>(Batch::kArenaSize));
  SetInt(c, "ARENA_REPLACE_BELOW", static_cast<uint32_t>(Batch::kArenaReplaceBelow));
  SetInt(c, "RECORD_RAW", kRecordRaw);
  SetInt(c, "RECORD_DATA", kRecordData);
  SetInt(c, "RECORD_ACCEPT", kRecordAccept);
  SetInt(c, "RECORD_CONNECTED", kRecordConnected);
  SetInt(c, "RECORD_CONNECT_FAILED", kRecordConnectFailed);
  SetInt(c, "RECORD_READ_CLOSED", kRecordReadClosed);
  SetInt(c, "RECORD_CLOSED", kRecordClosed);
  SetInt(c, "RECORD_DRAINED", kRecordDrained);
  SetInt(c, "RECORD_WRITE_CLOSED", kRecordWriteClosed);
  SetInt(c, "RECORD_ACCEPT_ERROR", kRecordAcceptError);
  SetInt(c, "RECORD_DESCRIPTOR", kRecordDescriptor);
  SetInt(c, "RECORD_DATAGRAMS", kRecordDatagrams);
  SetInt(c, "RECORD_DATAGRAM_ERROR", kRecordDatagramError);
  SetInt(c, "DATAGRAM_TRUNCATED", kDatagramTruncated);
  SetInt(c, "OPTION_BROADCAST", kOptionBroadcast);
  SetInt(c, "OPTION_MULTICAST_TTL", kOptionMulticastTTL);
  SetInt(c, "OPTION_MULTICAST_LOOP", kOptionMulticastLoop);
  SetInt(c, "CLOSE_AFTER_FLUSH", kCloseAfterFlush);
  SetInt(c, "CLOSE_ABORT", kCloseAbort);
  SetInt(c, "SHUT_WRITE_AFTER_FLUSH", kShutWriteAfterFlush);
  SetInt(c, "CLOSE_DISCARD", kCloseDiscard);
  SetInt(c, "FAMILY_UNIX", kFamilyUnix);
  SetInt(c, "FAMILY_IPV4", kFamilyIPv4);
  SetInt(c, "FAMILY_IPV6", kFamilyIPv6);
  SetInt(c, "OPTION_NODELAY", 1);
  SetInt(c, "OPTION_KEEPALIVE", 2);
  // The names of the core's counters, in the order stats() reports them.
  static const char* const kCounterNames[kCounterCount] = {
      "batches", "waits",         "events", "reads",         "bytesRead",        "writes",           "bytesWritten",
      "accepts", "pollerChanges", "arenas", "datagramsRead", "datagramsWritten", "datagramsDropped", "datagramsTruncated"};
  Napi::Array counters = Napi::Array::New(env, kCounterCount);
  for (uint32_t i = 0; i < kCounterCount; i++) counters.Set(i, Napi::String::New(env, kCounterNames[i]));
  exports.Set("counters", counters);
  exports.Set("constants", c);
  return exports;
}

}  // namespace ioreactor

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return ioreactor::Init(env, exports); }

NODE_API_MODULE(ioreactor, InitModule)
