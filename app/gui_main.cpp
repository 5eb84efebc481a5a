// reinforge: the desktop window.
#include <QApplication>
#include <QLabel>
#include <QMainWindow>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Reinforge");
    QApplication::setOrganizationName("Reinforge");
    QApplication::setApplicationVersion(REINFORGE_VERSION);
    QMainWindow w;
    w.setWindowTitle("Reinforge");
    w.setCentralWidget(new QLabel("Reinforge"));
    w.resize(1280, 800);
    w.show();
    return app.exec();
}
