// Wires the window to the engine: Train / Pause / Stop of the Live Run Panel to the EngineController,
// the controller's batched reports to the panel, failures to the window's error dialog, and the
// QtJudge (judge: human) to a dialog owned by the window.
#pragma once

namespace rf::ui {
class MainWindow;
}

namespace rf::bridge {

class EngineController;

// Creates a QtJudge parented to `window` and hands it to `controller`.
void linkWindow(ui::MainWindow* window, EngineController* controller);

}  // namespace rf::bridge
