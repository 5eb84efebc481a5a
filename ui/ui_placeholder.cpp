// Widgets live in ui/.
namespace rf::ui {
int placeholder() { return 0; }
}  // namespace rf::ui
