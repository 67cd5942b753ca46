// Native state of a listening socket or a connection owned by a reactor.
#ifndef IOREACTOR_STREAM_H_
#define IOREACTOR_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace ioreactor {

enum class StreamState : uint8_t { kConnecting, kOpen };

struct Stream {
  StreamState state = StreamState::kOpen;
  bool reading = true;             // JavaScript wants reads (not paused)
  bool half_close = false;         // report a peer's half-close instead of closing
  bool read_closed = false;        // the peer half-closed and we reported it
  bool close_after_flush = false;  // loseConnection
  bool shut_after_flush = false;   // loseWriteConnection
  bool write_shut = false;
  bool notify_drain = false;  // report kRecordDrained when the buffer empties
  bool queued_flush = false;  // in the end-of-batch flush list
  bool queued_ready = false;  // in the edge-mode ready list
  // Bytes written but not yet sent: [out_head, out.size()). One growing buffer, reused, so
  // coalesced small writes cost a copy and no allocation.
  std::string out;
  size_t out_head = 0;

  size_t pending() const { return out.size() - out_head; }
};

struct Listener {
  bool paused = false;  // accepting stopped after EMFILE and friends, until resumed
};

}  // namespace ioreactor

#endif  // IOREACTOR_STREAM_H_
