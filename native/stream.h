// Native state of a listening socket or a connection owned by a reactor.
#ifndef IOREACTOR_STREAM_H_
#define IOREACTOR_STREAM_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ioreactor {

enum class StreamState : uint8_t { kConnecting, kOpen };

// A descriptor waiting to be sent (our own copy of the caller's): it rides with the byte at
// `position` in Stream::out, the first byte written after sendFileDescriptor.
struct QueuedDescriptor {
  int fd;
  size_t position;
};

struct Stream {
  Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  // Whatever ends the stream (close, abort, reactor close, environment teardown), the copies of
  // descriptors never sent are closed with it.
  ~Stream() {
    for (const QueuedDescriptor& d : out_fds) ::close(d.fd);
  }

  StreamState state = StreamState::kOpen;
  bool reading = true;             // JavaScript wants reads (not paused)
  bool half_close = false;         // report a peer's half-close instead of closing
  bool read_closed = false;        // the peer half-closed and we reported it
  bool close_after_flush = false;  // loseConnection
  bool shut_after_flush = false;   // loseWriteConnection
  bool write_shut = false;
  bool notify_drain = false;        // report kRecordDrained when the buffer empties
  bool queued_flush = false;        // in the end-of-batch flush list
  bool queued_ready = false;        // in the edge-mode ready list
  bool passes_descriptors = false;  // a UNIX stream: read with recvmsg, may send descriptors
  // Bytes written but not yet sent: [out_head, out.size()). One growing buffer, reused, so
  // coalesced small writes cost a copy and no allocation.
  std::string out;
  size_t out_head = 0;
  // Descriptors to send, in order of position (empty on TCP streams).
  std::vector<QueuedDescriptor> out_fds;

  size_t pending() const { return out.size() - out_head; }
};

struct Listener {
  bool paused = false;       // accepting stopped after EMFILE and friends, until resumed
  bool unix_family = false;  // its connections are UNIX streams
};

}  // namespace ioreactor

#endif  // IOREACTOR_STREAM_H_
