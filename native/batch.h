// What one dispatch hands to JavaScript: fixed-size records in a shared Int32Array, and the
// bytes read in this batch in a shared arena. Both are allocated once per reactor, so a read
// costs no allocation; JavaScript copies what a protocol keeps (see src/transport).
#ifndef IOREACTOR_BATCH_H_
#define IOREACTOR_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ioreactor {

enum RecordType : int32_t {
  kRecordRaw = 1,           // slot, ready bits              (addReader / addWriter descriptors)
  kRecordData = 2,          // slot, arena offset, length
  kRecordAccept = 3,        // listener slot, new slot, arena offset of the peer AddressBlob
  kRecordConnected = 4,     // slot
  kRecordConnectFailed = 5, // slot, -errno
  kRecordReadClosed = 6,    // slot                          (peer half-closed; half-close enabled)
  kRecordClosed = 7,        // slot, 0 or -errno             (the descriptor is closed)
  kRecordDrained = 8,       // slot                          (write buffer empty, as requested)
  kRecordWriteClosed = 9,   // slot                          (our write side was shut down)
  kRecordAcceptError = 10,  // listener slot, -errno         (accepting paused)
};

struct Record {
  int32_t type;
  int32_t slot;
  int32_t a;
  int32_t b;
};

struct Batch {
  static constexpr int kRecordCapacity = 8192;
  static constexpr size_t kArenaSize = 1 << 20;
  // Room kept for records that must not be lost (closes, connects) once reading stops.
  static constexpr int kReservedRecords = 1024;

  Record* records = nullptr;
  int count = 0;
  uint8_t* arena = nullptr;
  size_t arena_used = 0;
  // Records that did not fit (10 000 connections closed in one callback, say), delivered in
  // the following batches. Never holds reads: those stop when the batch is full.
  std::vector<Record> overflow;

  void Add(int32_t type, int32_t slot, int32_t a, int32_t b) {
    if (count < kRecordCapacity && overflow.empty()) records[count++] = Record{type, slot, a, b};
    else overflow.push_back(Record{type, slot, a, b});
  }

  // Moves waiting overflow records into the shared array, as many as fit.
  void Refill() {
    size_t taken = 0;
    while (taken < overflow.size() && count < kRecordCapacity) records[count++] = overflow[taken++];
    overflow.erase(overflow.begin(), overflow.begin() + static_cast<std::ptrdiff_t>(taken));
    if (overflow.empty()) std::vector<Record>().swap(overflow);
  }
  // True while there is room to read more and to report it.
  bool HasRoomForReads(size_t min_bytes) const {
    return overflow.empty() && count < kRecordCapacity - kReservedRecords && arena_used + min_bytes <= kArenaSize;
  }
};

}  // namespace ioreactor

#endif  // IOREACTOR_BATCH_H_
