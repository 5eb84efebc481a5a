// Models and datasets already on this computer, for the Model and Dataset pickers. Models come from
// the engine's own lookup (io/hf_cache.h: the HF cache and LM Studio's folders, the same places a run
// resolves ids in) plus Reinforge's bundled resources/models; datasets from the HF cache's
// datasets--ORG--NAME folders plus resources/datasets. Nothing is downloaded.
#pragma once
#include <QList>
#include <QString>

namespace rf::ui {

struct CatalogEntry {
    QString value;   // what goes into the field: an HF id ("Qwen/Qwen3-0.6B") or a folder path
    QString source;  // "HF cache", "LM Studio", "bundled"
};

QList<CatalogEntry> localModels();
QList<CatalogEntry> localDatasets();
QString bundledResourcesDir();  // rf::resources_dir(): installed share/reinforge or the source tree's resources/

}  // namespace rf::ui
