// The thread bridge between the engine and the widgets lives in app/bridge_*.cpp.
namespace rf::bridge {
int placeholder() { return 0; }
}  // namespace rf::bridge
