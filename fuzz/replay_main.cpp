// A main() for builds without libFuzzer: runs the target once per file named
// on the command line (directories are walked recursively). It makes every
// fuzz target an ordinary program that ctest runs over the checked-in corpus
// in every configuration, so the targets keep compiling and the regression
// inputs keep passing even where libFuzzer is not available (GCC, s390x).
// POSIX directory calls rather than std::filesystem: nothing to link with
// libc++ 14, and no exceptions under -fno-exceptions.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool is_directory(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// Every regular file under `path` (or `path` itself), sorted.
void collect(const std::string& path, std::vector<std::string>& files) {
  if (!is_directory(path)) {
    files.push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> entries;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") entries.push_back(path + "/" + name);
  }
  closedir(dir);
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) collect(e, files);
}

bool replay_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<std::uint8_t> input;
  std::uint8_t chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) input.insert(input.end(), chunk, chunk + n);
  std::fclose(file);
  // An exact-size copy, as libFuzzer hands inputs over.
  input.shrink_to_fit();
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), input.size());
  (void)LLVMFuzzerTestOneInput(input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) collect(argv[i], files);
  bool ok = true;
  for (const auto& f : files) ok = replay_file(f) && ok;
  // The empty input, always.
  (void)LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("replayed %zu inputs without a finding\n", files.size());
  if (files.empty()) {
    std::fprintf(stderr, "replay: no inputs given\n");
    return 1;
  }
  return ok ? 0 : 1;
}
