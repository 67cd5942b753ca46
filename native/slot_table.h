// Registrations live in slots; the token given to the kernel is slot + generation, never the
// raw descriptor number. A token whose generation no longer matches its slot is stale: the
// descriptor it named was removed (and its number perhaps reused) after the kernel queued the
// report. Slots freed while a batch is being dispatched are quarantined until the batch ends,
// so a token in that batch can never resolve to a newer registration.
#ifndef IOREACTOR_SLOT_TABLE_H_
#define IOREACTOR_SLOT_TABLE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "poller.h"
#include "stream.h"

namespace ioreactor {

enum class Kind : uint8_t { kRaw, kListener, kStream };

struct Registration {
  int fd = -1;
  uint32_t generation = 0;
  uint32_t interest = 0;
  Trigger trigger = Trigger::kLevel;
  Kind kind = Kind::kRaw;
  bool live = false;
  bool armed = false;       // kOneshot: false from a report until the next re-arm
  bool registered = false;  // known to the poller (streams leave it while they want nothing)
  std::unique_ptr<Stream> stream;      // kStream
  std::unique_ptr<Listener> listener;  // kListener
};

class SlotTable {
 public:
  static uint64_t Token(uint32_t slot, uint32_t generation) {
    return (static_cast<uint64_t>(generation) << 32) | slot;
  }

  uint32_t Allocate() {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    Registration& r = slots_[slot];
    r.generation++;
    r.live = true;
    return slot;
  }

  // The live registration a token names, or nullptr if it is stale or malformed.
  Registration* Resolve(uint64_t token) {
    const uint32_t slot = static_cast<uint32_t>(token);
    if (slot >= slots_.size()) return nullptr;
    Registration& r = slots_[slot];
    if (!r.live || r.generation != static_cast<uint32_t>(token >> 32)) return nullptr;
    return &r;
  }

  // The live registration in a slot, or nullptr.
  Registration* Get(uint32_t slot) {
    if (slot >= slots_.size() || !slots_[slot].live) return nullptr;
    return &slots_[slot];
  }

  uint64_t TokenOf(uint32_t slot) const { return Token(slot, slots_[slot].generation); }

  void Release(uint32_t slot, bool in_batch) {
    Registration& r = slots_[slot];
    r.live = false;
    r.fd = -1;
    r.interest = 0;
    r.registered = false;
    r.kind = Kind::kRaw;
    r.stream.reset();
    r.listener.reset();
    r.generation++;  // every token already issued for this slot is now stale
    (in_batch ? quarantine_ : free_).push_back(slot);
  }

  // Called when a batch ends: quarantined slots become reusable.
  void EndBatch() {
    free_.insert(free_.end(), quarantine_.begin(), quarantine_.end());
    quarantine_.clear();
  }

  // Any slot, live or not, for whole-table walks (closing everything at teardown).
  Registration& At(uint32_t slot) { return slots_[slot]; }

  size_t live_count() const { return slots_.size() - free_.size() - quarantine_.size(); }
  size_t capacity() const { return slots_.size(); }

 private:
  std::vector<Registration> slots_;
  std::vector<uint32_t> free_;
  std::vector<uint32_t> quarantine_;
};

}  // namespace ioreactor

#endif  // IOREACTOR_SLOT_TABLE_H_
