#include "exit_watchers.h"

#include <errno.h>
#include <unistd.h>

#include <mutex>
#include <unordered_map>
#include <vector>

#include "orphan_reaper.h"

namespace ioreactor {
namespace {

struct Watched {
  pid_t pid;
  const void* env;
  bool orphaned;  // held by the environment's JavaScript orphan reaper, no longer by a reactor
};

// Never destroyed: a worker's teardown may still use it while the process exits.
struct Table {
  std::mutex lock;
  std::unordered_map<int, Watched> open;
};

Table& TheTable() {
  static Table* table = new Table();
  return *table;
}

}  // namespace

void RecordExitWatcher(int watcher, pid_t pid, const void* env) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  table.open[watcher] = Watched{pid, env, false};
}

int MarkExitWatcherOrphaned(int watcher) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(watcher);
  if (it == table.open.end()) return -ENOENT;
  it->second.orphaned = true;
  return 0;
}

int CloseExitWatcher(int watcher) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  // Forgotten before it is closed, under the lock: its number cannot be recorded again for
  // another child until it is free.
  table.open.erase(watcher);
  return ::close(watcher) < 0 ? -errno : 0;
}

void CloseOwnedDescriptor(int fd) {
  Table& table = TheTable();
  std::unique_lock<std::mutex> guard(table.lock);
  auto it = table.open.find(fd);
  if (it == table.open.end()) {
    guard.unlock();
    ::close(fd);
    return;
  }
  if (it->second.orphaned) return;  // JavaScript's orphan reaper holds it now
  const pid_t pid = it->second.pid;
  table.open.erase(it);
  guard.unlock();
  AdoptOrphan(pid, fd);
}

void AdoptOrphansOf(const void* env) {
  std::vector<std::pair<pid_t, int>> leaving;
  Table& table = TheTable();
  {
    std::lock_guard<std::mutex> guard(table.lock);
    for (auto it = table.open.begin(); it != table.open.end();) {
      if (it->second.env == env && it->second.orphaned) {
        leaving.emplace_back(it->second.pid, it->first);
        it = table.open.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& orphan : leaving) AdoptOrphan(orphan.first, orphan.second);
}

}  // namespace ioreactor
