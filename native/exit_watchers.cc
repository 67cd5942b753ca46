#include "exit_watchers.h"

#include <errno.h>
#include <unistd.h>

#include <mutex>
#include <unordered_map>

namespace ioreactor {
namespace {

enum class Holder { kReactor, kJavaScript, kNativeReaper };

struct Watched {
  pid_t pid;
  const void* env;
  Holder holder;
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

// Forgets `watcher` and closes it, under the table's lock: its number cannot be recorded again
// for another child until it is free.
int ForgetAndClose(Table& table, int watcher) {
  table.open.erase(watcher);
  return ::close(watcher) < 0 ? -errno : 0;
}

}  // namespace

void RecordExitWatcher(int watcher, pid_t pid, const void* env) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  table.open[watcher] = Watched{pid, env, Holder::kReactor};
}

int TakeExitWatcher(int watcher) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(watcher);
  if (it == table.open.end() || it->second.holder == Holder::kNativeReaper) return -ENOENT;
  it->second.holder = Holder::kJavaScript;
  return 0;
}

int CloseExitWatcher(int watcher) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(watcher);
  // Only exit watchers: a stray number must not close some other descriptor of the process.
  if (it == table.open.end()) return -EBADF;
  // The native reaper's already (its reactor was collected): it closes it once it has reaped.
  if (it->second.holder == Holder::kNativeReaper) return 0;
  return ForgetAndClose(table, watcher);
}

OwnedDescriptor ReleaseFromReactor(int fd, pid_t* pid) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(fd);
  if (it == table.open.end()) return OwnedDescriptor::kNotAWatcher;
  if (it->second.holder != Holder::kReactor) return OwnedDescriptor::kNotTheCores;
  it->second.holder = Holder::kNativeReaper;
  *pid = it->second.pid;
  return OwnedDescriptor::kHandOver;
}

std::vector<std::pair<pid_t, int>> ReleaseFromEnvironment(const void* env) {
  std::vector<std::pair<pid_t, int>> leaving;
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  for (auto& [fd, watched] : table.open) {
    if (watched.env != env || watched.holder != Holder::kJavaScript) continue;
    watched.holder = Holder::kNativeReaper;
    leaving.emplace_back(watched.pid, fd);
  }
  return leaving;
}

void CloseAdoptedWatcher(int watcher) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  ForgetAndClose(table, watcher);
}

}  // namespace ioreactor
