// docs/config.md is generated from the key table: it must equal `reinforge-cli config-doc`'s output.
#include <gtest/gtest.h>

#include "config/run_config.h"
#include "core/atomic_file.h"

TEST(RunConfigDoc, DocsFileMatchesTheKeyTable) {
    std::string generated = rf::config_doc_markdown();
    std::string file = rf::read_file(std::string(REINFORGE_SOURCE_DIR) + "/docs/config.md");
    EXPECT_TRUE(file == generated)
        << "docs/config.md is stale: regenerate it with `reinforge-cli config-doc > docs/config.md`";
}

TEST(RunConfigDoc, EveryKeyIsDocumentedWithItsLabel) {
    std::string md = rf::config_doc_markdown();
    for (const auto& k : rf::run_config_keys()) {
        EXPECT_NE(md.find("| `" + k.name + "` | " + k.label), std::string::npos) << k.name;
    }
    // Per-mode defaults are spelled out where modes differ.
    EXPECT_NE(md.find("`128` (rlhf_reinforce, rloo)"), std::string::npos);
}
