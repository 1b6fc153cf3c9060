#pragma once
// A stopped journal's files as the damage tests handle them: read whole,
// and flushed into SST files behind the journal's back (so a test damages
// SST blocks whatever the journal does on close). Test thread only.
#include <catch2/catch.hpp>
#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace werkstatt::test {

inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Every file under `root` whose bytes hold `needle` (the no-trace checks).
inline std::vector<std::string> files_containing(const std::filesystem::path& root, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    if (file_bytes(e.path()).find(needle) != std::string::npos) out.push_back(e.path().string());
  }
  return out;
}

inline void flush_behind(const std::string& dir) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles, &db).ok());
  REQUIRE(db->Flush(rocksdb::FlushOptions(), handles).ok());
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

}  // namespace werkstatt::test
