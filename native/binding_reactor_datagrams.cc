// The datagram methods of NativeReactor: opening, adopting and connecting UDP and UNIX
// datagram sockets, writing datagrams, and their broadcast and multicast options. The core's
// side is in reactor_core_datagrams.cc.
#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "binding_args.h"
#include "binding_reactor.h"
#include "datagram.h"

namespace ioreactor {

// datagramOpen(family, bindFamily, bindHostOrPath, bindPort, maxPacket, trigger): name or
// -errno (bindFamily 0: not bound)
Napi::Value NativeReactor::DatagramOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  SocketAddress bind_address;
  const bool bind = I32(info, 1) != 0;
  if (bind) {
    const int rc = AddressArg(info, 1, &bind_address);
    if (rc < 0) return Int(env, rc);
  }
  return Name(env, core_.OpenDatagram(I32(info, 0), bind ? &bind_address : nullptr, U32(info, 4), TriggerArg(info, 5)));
}

// datagramAdopt(fd, maxPacket, trigger): name or -errno. The descriptor is duplicated: the
// caller keeps (and must close) its own.
Napi::Value NativeReactor::DatagramAdopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int fd = DuplicateNonBlocking(I32(info, 0));
  if (fd < 0) return Int(env, fd);
  const int64_t name = core_.AdoptDatagram(fd, U32(info, 1), TriggerArg(info, 2));
  if (name < 0) ::close(fd);
  return Name(env, name);
}

// datagramConnect(slot, generation, family, hostOrPath, port): 0 or -errno
Napi::Value NativeReactor::DatagramConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  SocketAddress address;
  const int rc = AddressArg(info, 2, &address);
  if (rc < 0) return Int(env, rc);
  return Int(env, core_.ConnectDatagram(U32(info, 0), U32(info, 1), address));
}

// datagramWrite(slot, generation, data: ArrayBufferView, to: Uint8Array | null): 0 or -errno.
// `to` is a DatagramAddress (datagram.h), as reads report senders and datagramAddress makes.
Napi::Value NativeReactor::DatagramWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const char* data = nullptr;
  size_t length = 0;
  int rc = BytesArg(info, 2, &data, &length);
  if (rc < 0) return Int(env, rc);
  SocketAddress to;
  const bool addressed = !info[3].IsNull() && !info[3].IsUndefined();
  if (addressed) {
    const char* bytes = nullptr;
    size_t bytes_length = 0;
    rc = BytesArg(info, 3, &bytes, &bytes_length);
    if (rc == 0) rc = DecodeDatagramAddress(reinterpret_cast<const uint8_t*>(bytes), bytes_length, &to);
    if (rc < 0) return Int(env, rc);
  }
  rc = core_.WriteDatagram(U32(info, 0), U32(info, 1), reinterpret_cast<const uint8_t*>(data), length, addressed ? &to : nullptr);
  ScheduleIfPending();
  return Int(env, rc);
}

// datagramWriteBatch(staged: Uint8Array, byteLength): the datagrams protocols wrote during a
// batch's deliveries, laid out back to back as StagedDatagramHeader describes, sent straight from
// `staged` with one crossing of the boundary for all (ReactorCore::WriteStagedDatagrams). The
// number the kernel took, or -EINVAL when some were malformed (the others are sent).
Napi::Value NativeReactor::DatagramWriteBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const char* bytes = nullptr;
  size_t capacity = 0;
  const int rc = BytesArg(info, 0, &bytes, &capacity);
  if (rc < 0) return Int(env, rc);
  const int sent = core_.WriteStagedDatagrams(reinterpret_cast<const uint8_t*>(bytes), std::min<size_t>(U32(info, 1), capacity));
  ScheduleIfPending();
  return Int(env, sent);
}

Napi::Value NativeReactor::DatagramClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, 0);
  return Int(env, core_.CloseDatagram(U32(info, 0), U32(info, 1)));
}

// datagramOption(slot, generation, which: DatagramOption, value: -1 to read): value or -errno
Napi::Value NativeReactor::DatagramOptionValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Registration* r = core_.is_open() ? core_.NamedDatagram(U32(info, 0), U32(info, 1)) : nullptr;
  if (r == nullptr) return Int(env, -EBADF);
  const int which = I32(info, 2);
  if (which < kOptionBroadcast || which > kOptionMulticastLoop) return Int(env, -EINVAL);
  return Int(env, DatagramSocketOption(r->fd, r->datagram->family, static_cast<DatagramOption>(which), I32(info, 3)));
}

// datagramMembership(slot, generation, join, group, iface): 0 or -errno
Napi::Value NativeReactor::DatagramMembership(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Registration* r = core_.is_open() ? core_.NamedDatagram(U32(info, 0), U32(info, 1)) : nullptr;
  if (r == nullptr) return Int(env, -EBADF);
  std::string group;
  std::string iface;
  if (!Utf8(info, 3, &group) || !Utf8(info, 4, &iface)) return Int(env, -EINVAL);
  return Int(env, MulticastMembership(r->fd, r->datagram->family, Bool(info, 2), group.c_str(), iface.c_str()));
}

// datagramInterface(slot, generation, iface?: string): the outgoing multicast interface (after
// setting it when given), or -errno
Napi::Value NativeReactor::DatagramInterface(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Registration* r = core_.is_open() ? core_.NamedDatagram(U32(info, 0), U32(info, 1)) : nullptr;
  if (r == nullptr) return Int(env, -EBADF);
  if (info.Length() > 2 && info[2].IsString()) {
    std::string iface;
    if (!Utf8(info, 2, &iface)) return Int(env, -EINVAL);
    const int rc = SetMulticastInterface(r->fd, r->datagram->family, iface.c_str());
    if (rc < 0) return Int(env, rc);
  }
  std::string current;
  const int rc = GetMulticastInterface(r->fd, r->datagram->family, &current);
  if (rc < 0) return Int(env, rc);
  return Napi::String::New(env, current);
}

// datagramAddress(family, hostOrPath, port): the DatagramAddress bytes datagramWrite takes, or
// -errno for a malformed address
Napi::Value NativeReactor::DatagramAddressOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SocketAddress address;
  const int rc = AddressArg(info, 0, &address);
  if (rc < 0) return Int(env, rc);
  uint8_t bytes[kMaxDatagramAddress];
  const size_t length = EncodeDatagramAddress(address.get(), address.length, bytes);
  return Napi::Buffer<uint8_t>::Copy(env, bytes, length);
}

}  // namespace ioreactor
