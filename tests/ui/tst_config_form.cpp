// The Train tab's form: every key of the engine's table round-trips (set through its widget ->
// RunConfig -> a fresh form shows it), algorithm switching shows the seed app's blocks, per-mode
// defaults follow the mode, and invalid values carry the engine's own message at the field.
#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include "core/error.h"
#include "core/resources.h"
#include "form/block_box.h"
#include "form/config_form.h"
#include "form/dataset_preview_dialog.h"
#include "form/field_editor.h"
#include "run/live_run_panel.h"
#include "train_tab.h"

using namespace rf;
using namespace rf::ui;

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// A valid value different from the current one, in the form set_value() accepts.
std::string otherValue(const KeySpec& k, const RunConfig& c) {
    const std::string cur = get_value(c, k.name);
    if (k.name == "judge") return cur == "human" ? "rewards" : "human";
    if (k.name == "reward_functions") return "r1_int_reward_func, r1_count_xml, my_custom_fn";
    if (k.name == "data") return "data/one, data/two";
    if (k.name == "optimizer_config") return R"({"adamw":{"weight_decay":0.05}})";
    if (k.name == "reward_weights") return "[2.0, 0.5]";
    if (!k.choices.empty()) {
        for (const std::string& ch : k.choices)
            if (ch != cur) return ch;
    }
    switch (k.type) {
        case KeyType::boolean: return cur == "true" ? "false" : "true";
        case KeyType::choice:
            for (const std::string& ch : k.choices)
                if (ch != cur) return ch;
            return cur;
        case KeyType::integer: {
            const long long v = std::stoll(cur);
            for (long long cand : {v + 3, v + 1, v - 1, 7LL, 1LL})
                if (cand != v && (!k.min || cand >= *k.min) && (!k.max || cand <= *k.max)) return std::to_string(cand);
            return cur;
        }
        case KeyType::real: {
            const double v = std::stod(cur);
            for (double cand : {v * 0.5, 0.05, 0.5, 3.0})
                if (cand != v && (!k.min || cand >= *k.min) && (!k.max || cand <= *k.max)) {
                    RunConfig probe = c;
                    set_value(probe, k.name, QString::number(cand, 'g', 10).toStdString());
                    return get_value(probe, k.name);
                }
            return cur;
        }
        case KeyType::string_list: return "alpha, beta";
        case KeyType::real_list: return "[0.25, 4.0]";
        case KeyType::text: return "line one\nline two";
        default: return "custom/" + k.name;
    }
}

// Enters `value` through the field's widgets the way a user would.
void enter(FieldEditor* f, const QString& value) {
    const QString key = f->key();
    if (key == "judge") {
        const QString kind = value == "human" ? "user" : value == "rewards" ? "rewards" : "llm";
        QTest::mouseClick(f->findChild<QAbstractButton*>("judgeKind_" + kind), Qt::LeftButton);
        return;
    }
    if (key == "reward_functions") {
        const QStringList names = value.split(", ");
        for (QCheckBox* box : f->findChildren<QCheckBox*>())
            if (box->isChecked() != names.contains(box->toolTip())) box->click();
        QStringList custom;
        for (const QString& n : names)
            if (!f->findChild<QCheckBox*>("reward_" + n)) custom << n;
        auto* edit = f->findChild<QLineEdit*>("input_reward_functions_custom");
        edit->selectAll();
        QTest::keyClicks(edit, custom.join(", "));
        return;
    }
    if (key == "train_mode") {
        QTest::mouseClick(f->findChild<QAbstractButton*>("mode_" + value), Qt::LeftButton);
        return;
    }
    if (auto* box = f->findChild<QCheckBox*>("input_" + key)) {
        if (box->isChecked() != (value == "true")) box->click();
        return;
    }
    if (auto* combo = f->findChild<QComboBox*>("input_" + key)) {
        const int i = combo->findData(value);
        QVERIFY2(i >= 0, qPrintable(key + ": no choice " + value));
        combo->setCurrentIndex(i);
        emit combo->activated(i);
        return;
    }
    if (auto* text = f->findChild<QPlainTextEdit*>("input_" + key)) {
        text->setPlainText(value);
        return;
    }
    auto* edit = f->findChild<QLineEdit*>("input_" + key);
    QVERIFY2(edit, qPrintable("no input widget for " + key));
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, value);
}

TrainMode modeReading(const KeySpec& k) {
    for (TrainMode m : {TrainMode::grpo, TrainMode::ppo, TrainMode::rlhf_reinforce, TrainMode::rloo, TrainMode::sft})
        if (key_used_in_mode(k, m)) return m;
    return TrainMode::grpo;
}

}  // namespace

class TestConfigForm : public QObject {
    Q_OBJECT
private slots:
    void everyKeyHasAField();
    void roundTrip_data();
    void roundTrip();
    void modeSwitchShowsBlocks_data();
    void modeSwitchShowsBlocks();
    void perModeDefaultsFollowTheMode();
    void invalidTextShowsEngineMessage();
    void crossFieldIssueAtTheField();
    void trainRefusedWithErrors();
    void loraRowsFollowTrainType();
    void useAllDefaults();
    void humanAmongTheRewards();
    void lossTypesHaveLabels();
    void tooltipsFromKeyTable();
    void localModelAndDatasetPickers();
    void pickersSayWhereAValueIsFound();
    void datasetPreviewOffersChoicesAndFillsTheForm();
};

void TestConfigForm::everyKeyHasAField() {
    ConfigForm form;
    for (const KeySpec& k : run_config_keys()) {
        if (k.name == "schema_version") continue;
        QVERIFY2(form.field(qs(k.name)), k.name.c_str());
        QCOMPARE(form.field(qs(k.name))->objectName(), k.name == "train_mode" ? QString("algorithmPicker") : "field_" + qs(k.name));
    }
}

void TestConfigForm::roundTrip_data() {
    QTest::addColumn<QString>("key");
    for (const KeySpec& k : run_config_keys())
        if (k.name != "schema_version") QTest::newRow(k.name.c_str()) << qs(k.name);
}

void TestConfigForm::roundTrip() {
    QFETCH(QString, key);
    const KeySpec& k = *find_key(key.toStdString());
    ConfigForm form;
    RunConfig start = default_run_config(modeReading(k));
    form.setConfig(start);
    const std::string value = otherValue(k, form.config());
    RunConfig expected = form.config();
    set_value(expected, k.name, value);  // what the engine makes of it

    QSignalSpy changed(&form, &ConfigForm::configChanged);
    enter(form.field(key), qs(value));
    QVERIFY(changed.count() >= 1);
    QCOMPARE(qs(get_value(form.config(), k.name)), qs(get_value(expected, k.name)));
    const auto diff = differing_keys(form.config(), expected);
    QVERIFY2(diff.empty(), diff.empty() ? "" : diff.front().c_str());
    QVERIFY(is_explicit(form.config(), k.name));

    // fields <- RunConfig: a fresh form shows the value
    ConfigForm other;
    other.setConfig(form.config());
    QCOMPARE(other.field(key)->value(), qs(get_value(expected, k.name)));
    QVERIFY(same_values(other.config(), expected));
}

void TestConfigForm::modeSwitchShowsBlocks_data() {
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QStringList>("shown");   // per-algorithm blocks shown
    QTest::addColumn<QStringList>("fields");  // key@block expected
    QTest::newRow("sft") << "sft" << QStringList{} << QStringList{"mask_prompt@Training Settings", "chat_feature@Dataset Columns"};
    QTest::newRow("rlhf_reinforce") << "rlhf_reinforce" << QStringList{"Online Preference"}
                                    << QStringList{"judge@Online Preference", "max_completion_length@Online Preference",
                                                   "group_size@Online Preference", "baseline@Online Preference",
                                                   "beta@Advanced", "reference_model_path@Advanced", "temperature@Advanced"};
    QTest::newRow("rloo") << "rloo" << QStringList{"Online Preference"}
                          << QStringList{"group_size@Online Preference", "baseline@Online Preference"};
    QTest::newRow("ppo") << "ppo" << QStringList{"Online Preference"}
                         << QStringList{"temperature@Online Preference", "epsilon@Online Preference",
                                        "max_completion_length@Online Preference", "num_iterations@Advanced",
                                        "beta@Advanced"};
    QTest::newRow("grpo") << "grpo" << QStringList{"Preference And Judge", "GRPO Generation And Rewards"}
                          << QStringList{"beta@Preference And Judge", "reference_model_path@Preference And Judge",
                                         "group_size@GRPO Generation And Rewards", "epsilon_high@GRPO Generation And Rewards",
                                         "reward_functions@GRPO Generation And Rewards", "grpo_loss_type@GRPO Generation And Rewards",
                                         "scale_rewards@Advanced"};
}

void TestConfigForm::modeSwitchShowsBlocks() {
    QFETCH(QString, mode);
    QFETCH(QStringList, shown);
    QFETCH(QStringList, fields);
    TrainTab tab;
    tab.resize(1280, 800);
    tab.show();
    ConfigForm* form = tab.form();
    QSignalSpy mode_changed(form, &ConfigForm::trainModeChanged);
    const QString start = mode == "sft" ? "grpo" : "sft";
    QTest::mouseClick(form->findChild<QAbstractButton*>("mode_" + start), Qt::LeftButton);
    QTest::mouseClick(form->findChild<QAbstractButton*>("mode_" + mode), Qt::LeftButton);
    QCOMPARE(qs(std::string(enum_name(form->config().train_mode))), mode);
    QCOMPARE(mode_changed.last()[0].toString(), mode);
    const std::pair<KeyGroup, QString> per_algorithm[] = {
        {KeyGroup::online_preference, "Online Preference"},
        {KeyGroup::preference_and_judge, "Preference And Judge"},
        {KeyGroup::grpo_generation_and_rewards, "GRPO Generation And Rewards"}};
    for (const auto& [group, title] : per_algorithm)
        QCOMPARE(form->block(group)->isVisibleTo(form), shown.contains(title));
    for (const QString& f : fields) {
        const QString key = f.section('@', 0, 0), block = f.section('@', 1);
        QCOMPARE(form->blockOf(key), block);
    }
    QVERIFY(form->block(KeyGroup::model_and_data)->isVisibleTo(form));
    QVERIFY(form->block(KeyGroup::training_settings)->isVisibleTo(form));
    // the loss chart is told (GRPO's is labelled "near zero")
    QVERIFY(form->findChild<QLabel*>("algorithmSummary")->text().size() > 20);
}

void TestConfigForm::perModeDefaultsFollowTheMode() {
    ConfigForm form;
    QTest::mouseClick(form.findChild<QAbstractButton*>("mode_rlhf_reinforce"), Qt::LeftButton);
    QCOMPARE(form.field("group_size")->value(), QString("2"));
    QCOMPARE(form.field("max_completion_length")->value(), QString("128"));
    QTest::mouseClick(form.findChild<QAbstractButton*>("mode_rloo"), Qt::LeftButton);
    QCOMPARE(form.field("group_size")->value(), qs(default_value(form.config(), "group_size")));
    QCOMPARE(form.field("baseline")->value(), QString("rloo"));
    // a value the user typed stays when the mode changes
    enter(form.field("max_completion_length"), "99");
    QTest::mouseClick(form.findChild<QAbstractButton*>("mode_grpo"), Qt::LeftButton);
    QCOMPARE(form.field("max_completion_length")->value(), QString("99"));
    QCOMPARE(form.field("top_k")->value(), qs(default_value(form.config(), "top_k")));
}

void TestConfigForm::invalidTextShowsEngineMessage() {
    ConfigForm form;
    const std::string before = get_value(form.config(), "learning_rate");
    enter(form.field("learning_rate"), "fast");
    std::string engine_message;
    try {
        RunConfig c = form.config();
        set_value(c, "learning_rate", "fast");
    } catch (const InputError& e) {
        engine_message = e.message;
    }
    QVERIFY(!engine_message.empty());
    QVERIFY2(form.field("learning_rate")->issue().startsWith(qs(engine_message)), qPrintable(form.field("learning_rate")->issue()));
    QVERIFY(form.findChild<QLabel*>("issue_learning_rate")->isVisibleTo(&form));
    QCOMPARE(get_value(form.config(), "learning_rate"), before);  // the config keeps the last good value
    QCOMPARE(form.field("learning_rate")->value(), QString("fast"));  // and the text stays for fixing
    QVERIFY(!form.errors().isEmpty());
    enter(form.field("learning_rate"), "3e-6");
    QVERIFY(form.field("learning_rate")->issue().isEmpty());
    QCOMPARE(form.config().learning_rate, 3e-6);
    // a range error from the table
    enter(form.field("batch_size"), "0");
    QString range_message;
    try {
        RunConfig c = form.config();
        set_value(c, "batch_size", "0");
    } catch (const InputError& e) {
        range_message = qs(e.message);
    }
    QVERIFY(!range_message.isEmpty());
    QVERIFY2(form.field("batch_size")->issue().startsWith(range_message), qPrintable(form.field("batch_size")->issue()));
}

void TestConfigForm::crossFieldIssueAtTheField() {
    ConfigForm form;
    QTest::mouseClick(form.findChild<QAbstractButton*>("mode_grpo"), Qt::LeftButton);
    enter(form.field("epsilon"), "0.3");
    enter(form.field("epsilon_high"), "0.1");
    QString expected;
    for (const Issue& i : validate(form.config()))
        if (i.key == "epsilon_high" && i.severity == Severity::error) expected = qs(i.message);
    QVERIFY(!expected.isEmpty());
    QVERIFY2(form.field("epsilon_high")->issue().startsWith(expected), qPrintable(form.field("epsilon_high")->issue()));
    QVERIFY(form.errors().contains(expected));
    QVERIFY(form.findChild<QLabel*>("formSummary")->text().contains("error"));
    enter(form.field("temperature"), "0");
    bool temp_error = false;
    for (const Issue& i : validate(form.config())) temp_error |= i.key == "temperature";
    QVERIFY(temp_error);
    QVERIFY(!form.field("temperature")->issue().isEmpty());
}

void TestConfigForm::trainRefusedWithErrors() {
    TrainTab tab;
    tab.show();
    QSignalSpy train(&tab, &TrainTab::trainRequested);
    auto* button = tab.findChild<QAbstractButton*>("trainButton");
    QTest::mouseClick(button, Qt::LeftButton);  // model and data are empty
    QCOMPARE(train.count(), 0);
    QVERIFY(tab.findChild<QLineEdit*>("runStatus")->text().contains("refused"));
    enter(tab.form()->field("model"), "Qwen/Qwen3-0.6B");
    enter(tab.form()->field("data"), "resources/datasets/arithmetic");
    enter(tab.form()->field("iters"), "20");
    QVERIFY2(tab.form()->errors().isEmpty(), qPrintable(tab.form()->errors().join('\n')));
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(train.count(), 1);
    const RunConfig sent = train[0][0].value<RunConfig>();
    QCOMPARE(sent.iters, 20);
    QVERIFY(same_values(sent, tab.form()->config()));
}

void TestConfigForm::loraRowsFollowTrainType() {
    ConfigForm form;
    QVERIFY(form.isShown("lora_parameters.rank"));
    enter(form.field("train_type"), "full");
    QVERIFY(!form.isShown("lora_parameters.rank"));
    QVERIFY(!form.isShown("num_layers"));
    enter(form.field("train_type"), "dora");
    QVERIFY(form.isShown("lora_parameters.rank"));
    QVERIFY(!form.isShown("fuse_dequantize"));
    enter(form.field("fuse"), "true");
    QVERIFY(form.isShown("fuse_dequantize"));
    QVERIFY(form.isShown("lm_studio_name"));
}

void TestConfigForm::useAllDefaults() {
    ConfigForm form;
    QTest::mouseClick(form.findChild<QAbstractButton*>("mode_grpo"), Qt::LeftButton);
    form.findChild<QCheckBox*>("reward_r1_count_xml")->click();
    QCOMPARE(form.config().reward_functions.size(), size_t(4));
    QVERIFY(is_explicit(form.config(), "reward_functions"));
    QTest::mouseClick(form.findChild<QAbstractButton*>("useAllDefaultsButton"), Qt::LeftButton);
    QVERIFY(form.config().reward_functions == kDefaultRewardFunctions);
    QVERIFY(!is_explicit(form.config(), "reward_functions"));
    QVERIFY(form.findChild<QCheckBox*>("reward_r1_count_xml")->isChecked());
}

// "You" among the reward functions: the reserved name human, and its two keys shown with it
void TestConfigForm::humanAmongTheRewards() {
    ConfigForm form;
    QTest::mouseClick(form.findChild<QAbstractButton*>("mode_grpo"), Qt::LeftButton);
    auto* you = form.findChild<QCheckBox*>("reward_human");
    QVERIFY(you);
    QVERIFY(!you->isChecked());
    QSignalSpy edited(form.field("reward_functions"), &FieldEditor::edited);
    you->click();
    QCOMPARE(edited.count(), 1);
    std::vector<std::string> want = kDefaultRewardFunctions;
    want.push_back("human");
    QVERIFY(form.config().reward_functions == want);
    QVERIFY(form.isShown("human_fraction"));
    QVERIFY(form.isShown("human_wait_seconds"));
    RunConfig c = form.config();
    set_value(c, "reward_functions", "r1_int_reward_func, human, my_fn");
    form.setConfig(c);
    QVERIFY(you->isChecked());
    QCOMPARE(form.findChild<QLineEdit*>("input_reward_functions_custom")->text(), QString("my_fn"));
    QVERIFY(form.config().reward_functions == (std::vector<std::string>{"r1_int_reward_func", "human", "my_fn"}));
}

void TestConfigForm::lossTypesHaveLabels() {
    ConfigForm form;
    QTest::mouseClick(form.findChild<QAbstractButton*>("mode_grpo"), Qt::LeftButton);
    auto* box = form.field("grpo_loss_type")->findChild<QComboBox*>();
    QVERIFY(box);
    QStringList items;
    for (int i = 0; i < box->count(); ++i) items << box->itemText(i);
    QCOMPARE(items, QStringList({"GRPO", "BNPO", "DR GRPO", "DAPO", "CISPO", "SAPO"}));
}

void TestConfigForm::tooltipsFromKeyTable() {
    ConfigForm form;
    const KeySpec& k = *find_key("lora_parameters.scale");
    QVERIFY(form.field("lora_parameters.scale")->toolTip().contains(qs(k.doc).toHtmlEscaped()));
    QCOMPARE(form.field("lora_parameters.scale")->label(), qs(k.label));
    QVERIFY(form.field("epsilon_high")->toolTip().contains("= epsilon"));
}

// The "Local" menus list what the engine would resolve: models and datasets of the HF cache
// ($HF_HUB_CACHE here, a temporary folder) and the bundled resources.
void TestConfigForm::localModelAndDatasetPickers() {
    QTemporaryDir hub;
    QDir(hub.path()).mkpath("models--acme--tiny-chat/snapshots/abc123");
    QFile cfg(hub.filePath("models--acme--tiny-chat/snapshots/abc123/config.json"));
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write("{}");
    cfg.close();
    QDir(hub.path()).mkpath("datasets--acme--math-rl/snapshots/def456");
    QDir(hub.path()).mkpath("models--acme--empty");  // no snapshot: not listed
    qputenv("HF_HUB_CACHE", hub.path().toUtf8());
    ConfigForm form;
    auto pick = [&](const QString& key, const QString& want) {
        auto* button = form.field(key)->findChild<QToolButton*>("local_" + key);
        QVERIFY(button);
        QMenu* menu = button->menu();
        emit menu->aboutToShow();
        QStringList values;
        QAction* chosen = nullptr;
        for (QAction* a : menu->actions()) {
            values << a->data().toString();
            if (a->data().toString() == want) chosen = a;
        }
        QVERIFY2(chosen, qPrintable(values.join(", ")));
        chosen->trigger();
    };
    pick("model", "acme/tiny-chat");
    QCOMPARE(qs(form.config().model), QString("acme/tiny-chat"));
    pick("data", "acme/math-rl");
    QCOMPARE(form.config().data, std::vector<std::string>{"acme/math-rl"});
    pick("data", QDir::cleanPath(qs(resources_dir()) + "/datasets/arithmetic"));
    QCOMPARE(QDir::cleanPath(qs(form.config().data.at(0))), QDir::cleanPath(qs(resources_dir()) + "/datasets/arithmetic"));
    qunsetenv("HF_HUB_CACHE");
}

void TestConfigForm::pickersSayWhereAValueIsFound() {
    // the note under the model and dataset fields, filled off the GUI thread
    QTemporaryDir tmp;
    qputenv("HF_HUB_CACHE", tmp.filePath("hub").toUtf8());
    qputenv("HF_HUB_OFFLINE", "1");
    ConfigForm form;
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "model", REINFORGE_SOURCE_DIR "/resources/models/reinforge-arith-tiny");
    set_value(cfg, "data", "openai/gsm8k");
    form.setConfig(cfg);
    QTRY_COMPARE(form.field("model")->note(), QString("Local folder"));
    QTRY_VERIFY2(form.field("data")->note().contains("HF_HUB_OFFLINE"), qPrintable(form.field("data")->note()));
    auto* model = form.field("model")->findChild<QLineEdit*>("input_model");
    model->setText("org/not-here");
    emit model->textEdited(model->text());
    QTRY_VERIFY2(form.field("model")->note().startsWith("Not on this computer"), qPrintable(form.field("model")->note()));
    // a cached model: the note names its snapshot
    QDir().mkpath(tmp.filePath("hub/models--org--cached/snapshots/abc"));
    QFile f(tmp.filePath("hub/models--org--cached/snapshots/abc/config.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{}");
    f.close();
    model->setText("org/cached");
    emit model->textEdited(model->text());
    QTRY_VERIFY2(form.field("model")->note().startsWith("In the Hugging Face cache"), qPrintable(form.field("model")->note()));
    qunsetenv("HF_HUB_OFFLINE");
    qunsetenv("HF_HUB_CACHE");
}

void TestConfigForm::datasetPreviewOffersChoicesAndFillsTheForm() {
    // openai/gsm8k's layout on disk (configurations main/ and socratic/); the preview lists them, the
    // columns, and the rows after mapping; "Use these settings" writes the choices into the form
    QTemporaryDir tmp;
    qputenv("XDG_CACHE_HOME", tmp.filePath("xdg").toUtf8());
    for (const char* c : {"main", "socratic"}) {
        QVERIFY(QDir().mkpath(tmp.filePath(QString("gsm8k/%1").arg(c))));
        QVERIFY(QFile::copy(REINFORGE_FIXTURES "/parquet/gsm8k_like.parquet", tmp.filePath(QString("gsm8k/%1/train-00000-of-00001.parquet").arg(c))));
    }
    ConfigForm form;
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "data", tmp.filePath("gsm8k").toStdString());
    set_value(cfg, "dataset_config", "socratic");
    form.setConfig(cfg);
    form.show();
    QTest::mouseClick(form.findChild<QToolButton*>("preview_data"), Qt::LeftButton);
    DatasetPreviewDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = form.findChild<DatasetPreviewDialog*>("dataset_preview")) && dialog->isVisible());
    // the prompt column is "prompt" (the default), which this dataset lacks: the error names its columns
    QTRY_VERIFY(!dialog->loading());
    QVERIFY2(dialog->status().contains("question (string)"), qPrintable(dialog->status()));
    auto* prompt = dialog->findChild<QComboBox*>("preview_prompt_feature");
    prompt->setEditText("question");
    auto* pattern = dialog->findChild<QLineEdit*>("preview_answer_pattern");
    pattern->setText("gsm8k");
    emit pattern->editingFinished();
    QTRY_VERIFY(!dialog->loading() && dialog->previewText().contains("answer: 72"));
    QVERIFY2(dialog->previewText().contains("configurations: main, socratic (using: socratic)"), qPrintable(dialog->previewText()));
    auto* configs = dialog->findChild<QComboBox*>("preview_dataset_config");
    QCOMPARE(configs->count(), 2);
    QVERIFY(prompt->findText("answer") >= 0);  // the columns are offered
    configs->setCurrentIndex(configs->findText("main"));
    emit configs->activated(configs->currentIndex());
    QTRY_VERIFY(!dialog->loading() && dialog->previewText().contains("(using: main)"));
    QTest::mouseClick(dialog->findChild<QAbstractButton*>("preview_use"), Qt::LeftButton);
    QCOMPARE(qs(get_value(form.config(), "dataset_config")), QString("main"));
    QCOMPARE(qs(get_value(form.config(), "prompt_feature")), QString("question"));
    QCOMPARE(qs(get_value(form.config(), "answer_pattern")), QString("gsm8k"));
    qunsetenv("XDG_CACHE_HOME");
}

QTEST_MAIN(TestConfigForm)
#include "tst_config_form.moc"
