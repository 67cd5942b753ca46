// What one dispatch hands to JavaScript: fixed-size records in a shared Int32Array, and the
// bytes read in this batch in a shared arena. Reads go straight from the kernel into the arena.
// JavaScript copies small reads out (the arena is then reused by the next batch) and hands large
// ones to protocols as views of the arena itself: that part of the arena is kept, never written
// again, and once too little is left JavaScript hands over a fresh arena (the old one lives on as
// long as views of it do). See src/transport/stream-set.ts.
#ifndef IOREACTOR_BATCH_H_
#define IOREACTOR_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ioreactor {

// Every record names its registration by slot and generation, so JavaScript can check that a
// record is meant for the object it holds in that slot.
enum RecordType : int32_t {
  kRecordRaw = 1,             // a: ready bits                       (addReader / addWriter descriptors)
  kRecordData = 2,            // a: arena offset, b: length          (in the arena current when delivered)
  kRecordAccept = 3,          // a: listener slot, b: listener generation, c: arena offset of the peer AddressBlob
  kRecordConnected = 4,       //
  kRecordConnectFailed = 5,   // a: -errno                           (the descriptor is closed)
  kRecordReadClosed = 6,      //                                     (peer half-closed; half-close enabled)
  kRecordClosed = 7,          // a: 0 or -errno                      (the descriptor is closed)
  kRecordDrained = 8,         //                                     (write buffer empty, as requested)
  kRecordWriteClosed = 9,     //                                     (our write side was shut down)
  kRecordAcceptError = 10,    // a: -errno                           (the listener's name; accepting paused)
  kRecordDatagrams = 11,      // a: arena offset, b: length, c: count (DatagramHeader each, see datagram.h)
  kRecordDatagramError = 12,  // a: -errno                           (a datagram socket's error; it stays open)
};

struct Record {
  int32_t type;
  int32_t slot;
  int32_t generation;  // the uint32 generation's bits
  int32_t a;
  int32_t b;
  int32_t c;
};
constexpr int kRecordInts = sizeof(Record) / sizeof(int32_t);

struct Batch {
  static constexpr int kRecordCapacity = 8192;
  static constexpr size_t kArenaSize = 1 << 20;
  // An arena with less than this left after its kept views is replaced before the next wait.
  static constexpr size_t kArenaReplaceBelow = 64 * 1024;
  // Room kept for records that must not be lost (closes, connects) once reading stops.
  static constexpr int kReservedRecords = 1024;

  Record* records = nullptr;
  int count = 0;
  uint8_t* arena = nullptr;
  size_t arena_used = 0;
  // The start of the arena JavaScript handed out as views: reads begin after it.
  size_t arena_kept = 0;
  // Records that did not fit (10 000 connections closed in one callback, say), delivered in
  // the following batches. Never holds reads: those stop when the batch is full.
  std::vector<Record> overflow;

  void Add(int32_t type, uint32_t slot, uint32_t generation, int32_t a, int32_t b = 0, int32_t c = 0) {
    const Record record{type, static_cast<int32_t>(slot), static_cast<int32_t>(generation), a, b, c};
    if (count < kRecordCapacity && overflow.empty())
      records[count++] = record;
    else
      overflow.push_back(record);
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
