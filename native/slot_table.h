// Registrations live in slots. Both the kernel and JavaScript name a registration by slot +
// generation, never by the raw descriptor number, and a name whose generation no longer matches
// its slot is stale: the registration it named is gone (its descriptor number perhaps reused).
//
// A slot is reused only when nothing can still name it:
//  - a slot released while a batch is being served is quarantined until the batch ends, so a
//    kernel report already collected in that batch can never resolve to a newer registration;
//  - a slot whose close is reported to JavaScript (a CLOSED or CONNECT_FAILED record) is held
//    until that record has been delivered, so JavaScript learns of the close before any new
//    connection can appear under the same slot number.
#ifndef IOREACTOR_SLOT_TABLE_H_
#define IOREACTOR_SLOT_TABLE_H_

#include <errno.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "datagram.h"
#include "poller.h"
#include "stream.h"

namespace ioreactor {

enum class Kind : uint8_t { kRaw, kListener, kStream, kDatagram };

struct Registration {
  int fd = -1;
  uint32_t generation = 0;
  uint32_t interest = 0;
  Trigger trigger = Trigger::kLevel;
  Kind kind = Kind::kRaw;
  bool live = false;
  bool held = false;                   // closed, waiting for its close record to be delivered
  bool armed = false;                  // kOneshot: false from a report until the next re-arm
  bool registered = false;             // known to the poller (streams leave it while they want nothing)
  bool owned = false;                  // kRaw: the core closes fd if it closes while still registered
  std::unique_ptr<Stream> stream;      // kStream
  std::unique_ptr<Listener> listener;  // kListener
  std::unique_ptr<Datagram> datagram;  // kDatagram
};

class SlotTable {
 public:
  // JavaScript receives a name as one double, slot * 2^32 + generation, which stays exact only
  // while the slot fits in 21 bits. Two million registrations is far beyond any descriptor limit.
  static constexpr uint32_t kMaxSlots = 1u << 21;

  static uint64_t Token(uint32_t slot, uint32_t generation) { return (static_cast<uint64_t>(generation) << 32) | slot; }

  // A fresh slot (>= 0), or -ENFILE when the table is full.
  int64_t Allocate() {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      if (slots_.size() >= kMaxSlots) return -ENFILE;
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    Registration& r = slots_[slot];
    r.generation++;
    r.live = true;
    return slot;
  }

  // The live registration a token names, or nullptr if it is stale or malformed.
  Registration* Resolve(uint64_t token) { return Named(static_cast<uint32_t>(token), static_cast<uint32_t>(token >> 32)); }

  // The live registration named by slot + generation, or nullptr if the name is stale.
  Registration* Named(uint32_t slot, uint32_t generation) {
    if (slot >= slots_.size()) return nullptr;
    Registration& r = slots_[slot];
    if (!r.live || r.generation != generation) return nullptr;
    return &r;
  }

  // The live registration in a slot, whatever its generation, or nullptr.
  Registration* Get(uint32_t slot) {
    if (slot >= slots_.size() || !slots_[slot].live) return nullptr;
    return &slots_[slot];
  }

  uint64_t TokenOf(uint32_t slot) const { return Token(slot, slots_[slot].generation); }

  // Ends a registration. Every name already issued for the slot turns stale at once. The slot
  // itself becomes reusable after the batch (quarantine), or, when `hold` is set, only once
  // Delivered() says its close record reached JavaScript.
  void Release(uint32_t slot, bool in_batch, bool hold) {
    Registration& r = slots_[slot];
    r.live = false;
    r.fd = -1;
    r.interest = 0;
    r.registered = false;
    r.owned = false;
    r.kind = Kind::kRaw;
    r.stream.reset();
    r.listener.reset();
    r.datagram.reset();
    r.generation++;
    if (hold) {
      r.held = true;
      held_count_++;
    } else {
      (in_batch ? quarantine_ : free_).push_back(slot);
    }
  }

  // The close record of a held slot was delivered: reusable after the current batch.
  void Delivered(uint32_t slot) {
    if (slot >= slots_.size() || !slots_[slot].held) return;
    slots_[slot].held = false;
    held_count_--;
    quarantine_.push_back(slot);
  }

  // Called when a batch ends: quarantined slots become reusable.
  void EndBatch() {
    free_.insert(free_.end(), quarantine_.begin(), quarantine_.end());
    quarantine_.clear();
  }

  // Any slot, live or not, for whole-table walks (closing everything at teardown).
  Registration& At(uint32_t slot) { return slots_[slot]; }

  // Live registrations; slots held for a close record or quarantined are not counted.
  size_t live_count() const { return slots_.size() - free_.size() - quarantine_.size() - held_count_; }
  size_t held_count() const { return held_count_; }
  size_t capacity() const { return slots_.size(); }

 private:
  std::vector<Registration> slots_;
  std::vector<uint32_t> free_;
  std::vector<uint32_t> quarantine_;
  size_t held_count_ = 0;
};

}  // namespace ioreactor

#endif  // IOREACTOR_SLOT_TABLE_H_
