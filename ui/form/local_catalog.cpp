#include "form/local_catalog.h"

#include <QDir>
#include <QFileInfo>
#include <QObject>

#include "core/resources.h"
#include "io/hf_cache.h"

namespace rf::ui {

QString bundledResourcesDir() { return QString::fromStdString(resources_dir()); }

QList<CatalogEntry> localModels() {
    QList<CatalogEntry> out;
    QDir models(bundledResourcesDir() + "/models");
    for (const QString& name : models.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (QFileInfo::exists(models.filePath(name + "/config.json")))
            out.append({models.filePath(name), QObject::tr("bundled")});
    for (const CachedModel& m : list_cached_model_entries())
        out.append({QString::fromStdString(m.id), m.source == "hf" ? QObject::tr("HF cache") : QObject::tr("LM Studio")});
    return out;
}

QList<CatalogEntry> localDatasets() {
    QList<CatalogEntry> out;
    QDir data(bundledResourcesDir() + "/datasets");
    for (const QString& name : data.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        if (QFileInfo::exists(data.filePath(name + "/train.jsonl"))) out.append({data.filePath(name), QObject::tr("bundled")});
    // datasets--ORG--NAME -> ORG/NAME, when a snapshot exists (resolve_dataset_dir accepts the id)
    QDir hub(QString::fromStdString(hf_hub_cache_dir()));
    for (const QString& name : hub.entryList({"datasets--*"}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (QDir(hub.filePath(name + "/snapshots")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty()) continue;
        out.append({name.mid(10).split("--").join('/'), QObject::tr("HF cache")});
    }
    return out;
}

}  // namespace rf::ui
