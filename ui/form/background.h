// Work that may take long (the file system of a big cache, the network) off the GUI thread: `work`
// runs on a thread of its own, `done` runs later on the GUI thread with its result or the message
// of what it threw — and never when `receiver` is gone by then. The GUI never waits for `work`.
#pragma once
#include <QCoreApplication>
#include <QPointer>
#include <QString>
#include <exception>
#include <functional>
#include <memory>
#include <thread>

namespace rf::ui {

template <class R>
void runInBackground(QObject* receiver, std::function<R()> work, std::function<void(const R& result, const QString& error)> done) {
    QPointer<QObject> guard(receiver);
    QPointer<QCoreApplication> app(QCoreApplication::instance());
    std::thread([guard, app, work = std::move(work), done = std::move(done)] {
        auto result = std::make_shared<R>();
        QString error;
        try {
            *result = work();
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        } catch (...) {
            error = QStringLiteral("unknown failure");
        }
        if (!app) return;
        QMetaObject::invokeMethod(app.data(), [guard, done, result, error] {
            if (guard) done(*result, error);
        }, Qt::QueuedConnection);
    }).detach();
}

}  // namespace rf::ui
