// The glassbox command as a user runs it: train, evaluate and predict on CSV and IDX data, and
// every bad-input case of the foundation issue (one-line error, non-zero exit, no stack, no file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePng } from "../src/featurizers/image/index.js";
import { expectOneLineError, lastJson, ROOT, scratch, SMALL } from "./helpers/glassbox.js";

const { dir, glassbox } = scratch("glassbox-cli-");

/** A table of flowers: two numeric measurements and a text species, separable by petal length. */
function flowers(path: string, rows: number, seed: number): void {
  const lines = ["sepal,petal,species"];
  let s = seed;
  const noise = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
  for (let i = 0; i < rows; i++) {
    const species = ["setosa", "versicolor", "virginica"][i % 3];
    lines.push(`${(5 + (i % 3) * 0.6 + noise()).toFixed(2)},${(1.5 + (i % 3) * 2 + noise()).toFixed(2)},${species}`);
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

test("CSV: train with --label, evaluate on a second CSV, predict in words and JSON", () => {
  flowers(join(dir, "train.csv"), 300, 1);
  flowers(join(dir, "test.csv"), 90, 2);
  const trained = glassbox("train", "train.csv", "--label", "species", "--hidden", "16", "--epochs", "20", "--lr", "0.01", "--out", "flowers.safetensors", "--json");
  assert.equal(trained.code, 0, trained.stderr);
  const summary = lastJson(trained.stdout);
  for (const key of ["epochs", "seconds_per_epoch", "samples_per_second", "final_loss", "validation_accuracy", "backend"]) assert.ok(key in summary, key);
  assert.equal(summary.epochs, 20);
  assert.equal(summary.backend, "wasm");

  const evaluated = glassbox("evaluate", "flowers.safetensors", "test.csv", "--json");
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = lastJson(evaluated.stdout) as { accuracy: number; count: number; per_class: { label: string; f1: number }[]; confusion_matrix: number[][] };
  assert.equal(report.count, 90);
  assert.ok(report.accuracy > 0.9, `accuracy ${report.accuracy}`);
  assert.deepEqual(
    report.per_class.map((c) => c.label),
    ["setosa", "versicolor", "virginica"],
  );
  assert.equal(
    report.confusion_matrix.flat().reduce((a, b) => a + b, 0),
    90,
  );

  const human = glassbox("evaluate", "flowers.safetensors", "test.csv");
  assert.match(human.stdout, /^accuracy \d+\.\d\d% on 90 rows/);
  assert.match(
    human.stdout,
    /confusion matrix \(rows: true label, columns: predicted label, numbered as the rows\)\n {16}1 {3}2 {3}3\n1 setosa +30 {3}0 {3}0\n2 versicolor +0 {2}30 {3}0\n/,
  );
  // --label, as train takes it, is checked against the column the model was trained on.
  assert.match(glassbox("evaluate", "flowers.safetensors", "test.csv", "--label", "species").stdout, /^accuracy \d+\.\d\d% on 90 rows/);
  const wrongLabel = glassbox("evaluate", "flowers.safetensors", "test.csv", "--label", "petal");
  assert.equal(wrongLabel.code, 2);
  assert.match(wrongLabel.stderr, /^glassbox evaluate: error: --label petal: this model was trained on the label column "species"; evaluate reads that one\n$/);
  assert.match(glassbox("evaluate", "flowers.safetensors", "test.csv", "--labl", "x").stderr, /unknown option --labl; did you mean --label\?/);

  writeFileSync(join(dir, "new.csv"), "petal,sepal\n1.4,5.1\n5.6,6.3\n");
  const predicted = glassbox("predict", "flowers.safetensors", "new.csv", "--top", "2");
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.match(predicted.stdout, /^1: setosa \d+% \((versicolor|virginica) (\d+|<1)%\)\n2: virginica \d+%/);
});

test("IDX: train on the embedded Fashion-MNIST subset, evaluate and predict with --top and --json", () => {
  const trained = glassbox("train", SMALL, "--hidden", "32", "--epochs", "1", "--out", "fashion.safetensors", "--json");
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stderr, /epoch 1\/1 \| loss \d\.\d+ \| accuracy/);
  const evaluated = lastJson(glassbox("evaluate", "fashion.safetensors", SMALL, "--json").stdout) as { accuracy: number; count: number; per_class: unknown[] };
  assert.equal(evaluated.count, 2000);
  assert.ok(evaluated.accuracy > 0.6, `accuracy ${evaluated.accuracy}`);
  assert.equal(evaluated.per_class.length, 10);

  const json = lastJson(glassbox("predict", "fashion.safetensors", SMALL, "--limit", "5", "--top", "3", "--json").stdout) as {
    predictions: { label: string; probability: number; top: { label: string; probability: number }[] }[];
  };
  assert.equal(json.predictions.length, 5);
  for (const p of json.predictions) {
    assert.equal(p.top.length, 3);
    assert.equal(p.top[0].label, p.label);
    assert.ok(p.probability >= p.top[1].probability && p.top[1].probability >= p.top[2].probability);
  }
  const words = glassbox("predict", "fashion.safetensors", SMALL, "--limit", "2").stdout;
  assert.match(words, /^1: [A-Za-z/ -]+ \d+% \([A-Za-z/ -]+ (\d+|<1)%, [A-Za-z/ -]+ (\d+|<1)%\) {2}\[true: Ankle boot\]\n2: /);
  // Files are named as the user typed them: a file, a folder (its files under the folder as typed), an absolute path.
  mkdirSync(join(dir, "pics", "more"), { recursive: true });
  const gray = new Uint8Array(28 * 28 * 4).fill(200);
  writeFileSync(join(dir, "pics", "a.png"), encodePng(28, 28, gray));
  writeFileSync(join(dir, "pics", "more", "b.png"), encodePng(28, 28, gray));
  const namesOf = (...paths: string[]) => {
    const run = glassbox("predict", "fashion.safetensors", ...paths);
    assert.equal(run.code, 0, run.stderr);
    return run.stdout
      .trim()
      .split("\n")
      .map((line) => line.slice(0, line.indexOf(": ")));
  };
  assert.deepEqual(namesOf("./pics/a.png", join(dir, "pics", "a.png")), ["./pics/a.png", join(dir, "pics", "a.png")]);
  assert.deepEqual(namesOf("./pics/more/"), ["./pics/more/b.png"]);
  writeFileSync(join(dir, "pics", "more", "c.png"), encodePng(28, 28, gray));
  assert.deepEqual(namesOf("pics//more"), ["pics//more/b.png", "pics//more/c.png"]);
});

test("bad input: text in a numeric column names the row and column; no model file is written", () => {
  writeFileSync(join(dir, "bad.csv"), "a,b,label\n1,2,x\n3,4,y\n5,abc,x\n");
  const text = glassbox("train", "bad.csv", "--out", "bad.safetensors");
  expectOneLineError(
    text,
    /^glassbox train: error: row 3 \(line 4\) of bad.csv, column "b": expected a finite number, got "abc" \(most of this column is numbers; pass --categorical b to read it as categories\)$/,
  );
  assert.equal(existsSync(join(dir, "bad.safetensors")), false);
  const verbose = glassbox("train", "bad.csv", "--out", "bad.safetensors", "--verbose");
  assert.match(verbose.stderr, /\n\s+at /, "--verbose prints the stack");
});

test("bad input: wrong feature count, unknown label, truncated model, missing file", () => {
  flowers(join(dir, "fit.csv"), 60, 3);
  assert.equal(glassbox("train", "fit.csv", "--hidden", "4", "--epochs", "1", "--out", "f.safetensors").code, 0);
  writeFileSync(join(dir, "three.csv"), "x,y,z\n1,2,3\n");
  glassbox("train", SMALL, "--hidden", "4", "--epochs", "1", "--validation", "0", "--out", "img.safetensors");
  expectOneLineError(glassbox("predict", "img.safetensors", "three.csv"), /three.csv: expected 784 features per row \(28x28 image\), got 3$/);
  writeFileSync(join(dir, "lacks.csv"), "x,petal,species\n1,2,setosa\n");
  expectOneLineError(glassbox("evaluate", "f.safetensors", "lacks.csv"), /lacks.csv lacks the column "sepal" the model was trained on; its columns are: x, petal, species/);

  writeFileSync(join(dir, "unknown.csv"), "sepal,petal,species\n5,1.5,setosa\n5,1.5,rose\n");
  const unknown = glassbox("evaluate", "f.safetensors", "unknown.csv");
  expectOneLineError(unknown, /row 2 \(line 3\) of unknown.csv, column "species": unknown label "rose"; the model knows "setosa", "versicolor", "virginica"/);

  const bytes = readFileSync(join(dir, "f.safetensors"));
  writeFileSync(join(dir, "cut.safetensors"), bytes.subarray(0, bytes.length - 7));
  expectOneLineError(glassbox("evaluate", "cut.safetensors", "fit.csv"), /cut.safetensors: truncated: tensor "[\w.]+" needs bytes \d+..\d+ of the data but the file holds \d+$/);
  expectOneLineError(glassbox("predict", "fit.csv", "fit.csv"), /fit.csv: truncated or not a model file/);

  expectOneLineError(glassbox("evaluate", "nothing.safetensors", "fit.csv"), /error: no such file: nothing.safetensors$/);
  expectOneLineError(glassbox("train", "missing.csv", "--out", "m.safetensors"), /error: no such file or directory: missing.csv$/);
  assert.equal(existsSync(join(dir, "m.safetensors")), false);
});

test("--backend reference gives the same kind of result as the default wasm backend", () => {
  const r = glassbox("train", "fit.csv", "--hidden", "4", "--epochs", "2", "--backend", "reference", "--out", "ref.safetensors", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lastJson(r.stdout).backend, "reference");
  const e = glassbox("evaluate", "ref.safetensors", "fit.csv", "--backend", "wasm", "--threads", "1", "--json");
  assert.equal(e.code, 0, e.stderr);
  assert.equal(lastJson(e.stdout).count, 60);
  assert.match(glassbox("evaluate", "ref.safetensors", "fit.csv", "--backend", "gpu").stderr, /--backend: expected one of wasm, reference, webgpu, auto, got "gpu"/);
});

test("--backend webgpu without WebGPU in Node says what to install and writes nothing; --backend auto falls back to wasm with a note", () => {
  const gpu = glassbox("train", "fit.csv", "--hidden", "4", "--epochs", "2", "--backend", "webgpu", "--out", "gpu.safetensors");
  assert.equal(gpu.code, 2, gpu.stderr);
  assert.match(gpu.stderr, /--backend webgpu: Node has no WebGPU without the optional package webgpu \(npm install webgpu/);
  assert.equal(existsSync(join(dir, "gpu.safetensors")), false);
  const auto = glassbox("train", "fit.csv", "--hidden", "4", "--epochs", "2", "--backend", "auto", "--out", "auto.safetensors", "--json");
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stderr, /note: --backend auto: no GPU \(.*\); using wasm/);
  assert.equal(lastJson(auto.stdout).backend, "wasm");
  const answer = glassbox("evaluate", "auto.safetensors", "fit.csv", "--backend", "webgpu", "--json");
  assert.equal(answer.code, 0, answer.stderr);
  assert.match(answer.stderr, /this command answers on the CPU \(wasm\)/);
});

test("--input-limit NAME=N changes a limit for the command: lowered, a table is refused; a bad name exits 2", () => {
  const refused = glassbox("evaluate", "f.safetensors", "fit.csv", "--input-limit", "csv-columns=2");
  expectOneLineError(refused, /error: fit\.csv has 3 columns; at most 2 are read \(the input limit csv-columns\)$/);
  const allowed = glassbox("evaluate", "f.safetensors", "fit.csv", "--input-limit", "csv-columns=3", "--input-limit", "csv-line-chars=100", "--json");
  assert.equal(allowed.code, 0, allowed.stderr);
  const badName = glassbox("evaluate", "f.safetensors", "fit.csv", "--input-limit", "columns=3");
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /--input-limit: expected NAME=NUMBER with NAME one of image-pixels, .*csv-columns, csv-line-chars, model-layers, got "columns=3"/);
});

test("--version and help <command>", () => {
  const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
  assert.equal(glassbox("--version").stdout, `glassbox ${version}\n`);
  const help = glassbox("help", "train");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: glassbox train <data> --out model\.safetensors/);
  const unknown = glassbox("help", "trian");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stdout, /^glassbox help: unknown command "trian"; did you mean train\?\n\nglassbox \d+\.\d+\.\d+: /);
});

test("usage errors exit 2 and say what was expected", () => {
  const r = glassbox("train", "fit.csv", "--epochs", "ten", "--out", "x.safetensors");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--epochs: expected an integer >= 1, got "ten"/);
  const unknownOption = glassbox("train", "fit.csv", "--epoch", "3");
  assert.equal(unknownOption.code, 2);
  assert.match(unknownOption.stderr, /^glassbox train: unknown option --epoch; did you mean --epochs\?\nusage: glassbox train /);
  assert.match(glassbox("train", "fit.csv", "--out").stderr, /^glassbox train: --out needs a value\n/);
  assert.equal(glassbox("fly").code, 2);
  const misspelt = glassbox("evalute", "m.safetensors");
  assert.equal(misspelt.code, 2);
  assert.match(misspelt.stderr, /^glassbox: unknown command "evalute"; expected one of train, evaluate, .*; did you mean evaluate\?\n$/);
  // A bad value is refused before any data is read: here the data does not even exist.
  const early = glassbox("train", "no-such-data.csv", "--activation", "leaky-rel", "--out", "x.safetensors");
  assert.equal(early.code, 2);
  assert.match(early.stderr, /--activation: expected one of relu, leaky_relu, .*got "leaky-rel"; did you mean leaky_relu\?/);
  assert.match(
    glassbox("train", "no-such-data.csv", "--activation", "leaky-relu", "--out", "x.safetensors").stderr,
    /no such file or directory: no-such-data\.csv/,
    "leaky-relu is leaky_relu",
  );
  // A bag validates each network on its own fold: --validation with --bag is refused before the data too.
  const bagged = glassbox("train", "no-such-data.csv", "--bag", "3", "--validation", "0.2", "--out", "x.safetensors");
  assert.equal(bagged.code, 2);
  assert.match(bagged.stderr, /--bag 3 cannot train with --validation: .*; use --bag 1/);
  assert.match(glassbox("train", "no-such-data.csv", "--bag", "0", "--out", "x.safetensors").stderr, /--bag: expected an integer >= 1, got "0"/);
  assert.equal(glassbox("train", "fit.csv").code, 2, "missing --out");
  const schedule = glassbox("train", "fit.csv", "--schedule", "step:2:1.2.3", "--out", "x.safetensors");
  assert.equal(schedule.code, 2);
  assert.match(schedule.stderr, /--schedule: expected constant, cosine or step:EVERY:GAMMA/);
  const noDir = glassbox("train", "fit.csv", "--out", "no/such/dir/m.safetensors");
  assert.equal(noDir.code, 1);
  assert.match(noDir.stderr, /--out no\/such\/dir\/m.safetensors: the directory .*no\/such\/dir does not exist/);
});

test("a run that diverges or hits NaN leaves an existing model byte for byte; its last good weights go beside it", () => {
  flowers(join(dir, "guard.csv"), 120, 11);
  const good = join(dir, "guard.safetensors");
  assert.equal(glassbox("train", "guard.csv", "--label", "species", "--hidden", "8", "--epochs", "3", "--out", good).code, 0);
  const before = readFileSync(good);
  for (const settings of [
    ["--lr", "1e6", "--optimizer", "sgd"],
    ["--lr", "1e6"],
  ]) {
    rmSync(join(dir, "guard.diverged.safetensors"), { force: true });
    const r = glassbox("train", "guard.csv", "--label", "species", "--hidden", "8", "--epochs", "5", "--no-standardize", ...settings, "--out", good);
    assert.equal(r.code, 3, `${settings.join(" ")}: exit 3; stderr: ${r.stderr}`);
    assert.match(
      r.stderr,
      /glassbox: error: training stopped at epoch \d+, step \d+: .*(became non-finite|diverged).*lr 1000000.*saved them to .*guard\.diverged\.safetensors; .*guard\.safetensors was left as it was/,
    );
    assert.deepEqual(readFileSync(good), before, `${settings.join(" ")}: the good model is untouched`);
    assert.ok(existsSync(join(dir, "guard.diverged.safetensors")), "the last good weights are where the message says");
  }
});

test("an --out that cannot be written is refused before training: a directory, a missing folder", () => {
  flowers(join(dir, "out.csv"), 60, 12);
  mkdirSync(join(dir, "a-folder"), { recursive: true });
  // One line on stderr: nothing was loaded or trained first.
  expectOneLineError(
    glassbox("train", "out.csv", "--label", "species", "--out", "a-folder"),
    /--out a-folder is a directory; expected a model file path such as a-folder\/model\.safetensors/,
  );
  expectOneLineError(
    glassbox("train", "out.csv", "--label", "species", "--out", "no/such/dir/m.safetensors"),
    /--out no\/such\/dir\/m\.safetensors: the directory .* does not exist/,
  );
});

test("temporary files that killed saves left beside --out are removed at the next start; a live process's are kept", () => {
  flowers(join(dir, "orphans.csv"), 60, 13);
  const dead = join(dir, ".orphans.safetensors.2147483646.1700000000000.tmp");
  const checkpointTmp = join(dir, ".orphans.safetensors.checkpoint.2147483646.1700000000001.tmp");
  const live = join(dir, `.orphans.safetensors.${process.pid}.1700000000002.tmp`);
  for (const f of [dead, checkpointTmp, live]) writeFileSync(f, "half a model");
  const r = glassbox("train", "orphans.csv", "--label", "species", "--hidden", "4", "--epochs", "1", "--out", "orphans.safetensors");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /removed 2 temporary files left by killed saves: \.orphans\.safetensors\.2147483646\.1700000000000\.tmp, \.orphans\.safetensors\.checkpoint\.2147483646/);
  assert.deepEqual([existsSync(dead), existsSync(checkpointTmp), existsSync(live)], [false, false, true]);
});

test("a CSV column that looks like free text is named, with how to read it as text; a CSV's encoding note is said as such", () => {
  const words = ["great", "product", "arrived", "late", "broken", "box", "love", "it", "would", "buy", "again", "never"];
  const lines = ["stars,review,label"];
  for (let i = 0; i < 60; i++)
    lines.push(`${i % 5},${Array.from({ length: 4 + (i % 3) }, (_, w) => words[(i * 7 + w * 5) % words.length]).join(" ")} ${i},${i % 2 ? "good" : "bad"}`);
  writeFileSync(join(dir, "reviews.csv"), `${lines.join("\n")}\n`);
  const r = glassbox("train", "reviews.csv", "--hidden", "4", "--epochs", "1", "--out", "reviews.safetensors");
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: column "review" looks like free text \(60 different values, most of three words or more\): it is read as categories; to read its words, make it the text column \(the text option; train --text review\)/,
  );
  assert.doesNotMatch(r.stderr, /column "stars" looks like free text/);
  writeFileSync(join(dir, "latin1.csv"), Buffer.from("a,label\n1,caf\xe9\n2,th\xe9\n3,caf\xe9\n4,th\xe9\n", "latin1"));
  const latin = glassbox("train", "latin1.csv", "--hidden", "4", "--epochs", "1", "--out", "latin1.safetensors");
  assert.equal(latin.code, 0, latin.stderr);
  assert.match(latin.stderr, /^note: .*Windows-1252/m);
  assert.doesNotMatch(latin.stderr, /resized/);
});

test("categories a table model never saw are reported by predict and evaluate (count and examples) and read as other", () => {
  const lines = ["income,purpose,decision"];
  for (let i = 0; i < 90; i++) {
    const income = 20 + ((i * 37) % 80);
    const purpose = ["car", "house", "holiday"][i % 3];
    lines.push(`${income},${purpose},${income > 55 && purpose !== "holiday" ? "yes" : "no"}`);
  }
  writeFileSync(join(dir, "loans.csv"), `${lines.join("\n")}\n`);
  assert.equal(glassbox("train", "loans.csv", "--label", "decision", "--hidden", "8", "--epochs", "2", "--out", "loans.safetensors").code, 0);
  writeFileSync(join(dir, "new-loans.csv"), "income,purpose,decision\n80,yacht,no\n30,car,no\n90,yacht,yes\n60,Boat,yes\n");
  const predicted = glassbox("predict", "loans.safetensors", "new-loans.csv");
  assert.equal(predicted.code, 0, predicted.stderr);
  assert.match(predicted.stderr, /^note: 2 values the model never saw, each read as "other": purpose = "yacht" \(2 rows\), purpose = "Boat" \(1 row\)$/m);
  const json = lastJson(glassbox("evaluate", "loans.safetensors", "new-loans.csv", "--json").stdout);
  assert.deepEqual(json.unseen_categories, [
    { column: "purpose", value: "yacht", rows: 2 },
    { column: "purpose", value: "Boat", rows: 1 },
  ]);
  assert.doesNotMatch(glassbox("predict", "loans.safetensors", "loans.csv").stderr, /never saw/, "known categories are not reported");
});

test("a binary model's evaluation ranks by ROC-AUC and PR-AUC, gives precision and recall at the threshold, and hints at class weights when one label's recall is low", () => {
  // About 10% "bad", and only weakly told apart by the two columns.
  const lines = ["debt,age,credit"];
  let s = 7;
  const noise = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = 0; i < 400; i++) {
    const debt = noise();
    const age = noise();
    lines.push(`${debt.toFixed(3)},${age.toFixed(3)},${debt + 0.8 * noise() > 1.45 ? "bad" : "good"}`);
  }
  writeFileSync(join(dir, "credit.csv"), `${lines.join("\n")}\n`);
  assert.equal(glassbox("train", "credit.csv", "--label", "credit", "--hidden", "8", "--epochs", "30", "--lr", "0.01", "--out", "credit.safetensors").code, 0);
  const human = glassbox("evaluate", "credit.safetensors", "credit.csv");
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^ranking "good" above the other label: ROC-AUC 0\.\d{3}, PR-AUC 0\.\d{3}; at threshold 0\.5: precision \d\.\d{3}, recall \d\.\d{3}$/m);
  assert.match(human.stdout, /^hint: recall for "bad" is 0\.\d{3}, under half the other labels' \(\d\.\d{3}\); train with --class-weights balanced to weigh every label equally$/m);
  // The reported ROC-AUC is the pairwise one of the model's own probabilities.
  const json = lastJson(glassbox("evaluate", "credit.safetensors", "credit.csv", "--json").stdout) as { binary: { roc_auc: number; positive: string } };
  const predictions = (lastJson(glassbox("predict", "credit.safetensors", "credit.csv", "--json").stdout) as { predictions: { top: { label: string; probability: number }[] }[] })
    .predictions;
  const truth = lines.slice(1).map((line) => line.endsWith(",good"));
  const scores = predictions.map((p) => p.top.find((t) => t.label === "good")?.probability ?? Number.NaN);
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) =>
    scores.forEach((n, j) => {
      if (!truth[i] || truth[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    }),
  );
  assert.equal(json.binary.positive, "good");
  assert.ok(Math.abs(json.binary.roc_auc - wins / pairs) < 1e-3, `ROC-AUC ${json.binary.roc_auc} against ${wins / pairs} counted pair by pair`);
});

test("a tiny dataset's validation split gets a note when it holds about one row per label, with a fraction that holds more", () => {
  flowers(join(dir, "tiny.csv"), 30, 13);
  const r = glassbox("train", "tiny.csv", "--label", "species", "--hidden", "4", "--epochs", "1", "--out", "tiny.safetensors");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^note: 3 rows held out for validation for 3 labels: its accuracy moves in steps of 33 points; --validation 0\.2 would hold out 6$/m);
  const enough = glassbox("train", "tiny.csv", "--label", "species", "--hidden", "4", "--epochs", "1", "--validation", "0.2", "--out", "tiny.safetensors");
  assert.doesNotMatch(enough.stderr, /held out for validation for/);
});

test("--threshold auto picks the decision threshold on validation for balanced accuracy; the model keeps it and predict and evaluate use it", () => {
  assert.ok(existsSync(join(dir, "credit.csv")), "needs the credit table of the binary test");
  const balanced = (json: Record<string, unknown>): number => {
    const perClass = json.per_class as { recall: number }[];
    return (perClass[0].recall + perClass[1].recall) / 2;
  };
  const settings = ["--label", "credit", "--hidden", "8", "--epochs", "30", "--lr", "0.01"];
  const trained = glassbox("train", "credit.csv", ...settings, "--threshold", "auto", "--out", "credit-auto.safetensors");
  assert.equal(trained.code, 0, trained.stderr);
  const said = /decision threshold (0\.\d{3}): "good" when its probability reaches it \(chosen for balanced accuracy on the validation rows; predict and evaluate use it\)/.exec(
    trained.stderr,
  );
  assert.ok(said, trained.stderr);
  const plain = lastJson(glassbox("evaluate", "credit.safetensors", "credit.csv", "--json").stdout);
  const auto = lastJson(glassbox("evaluate", "credit-auto.safetensors", "credit.csv", "--json").stdout);
  assert.ok(Math.abs((auto.binary as { threshold: number }).threshold - Number(said[1])) < 5e-4, "evaluate reports the model's threshold");
  assert.ok(balanced(auto) > balanced(plain), `balanced accuracy ${balanced(auto)} with the chosen threshold, ${balanced(plain)} at 0.5`);
  assert.ok((auto.binary as { roc_auc: number }).roc_auc > 0.5, "ROC-AUC is reported");
  // predict decides by the same threshold: as many "bad" answers as evaluate's confusion matrix has.
  const predictions = (lastJson(glassbox("predict", "credit-auto.safetensors", "credit.csv", "--json").stdout) as { predictions: { label: string }[] }).predictions;
  const confusion = auto.confusion_matrix as number[][];
  assert.equal(predictions.filter((p) => p.label === "bad").length, confusion[0][0] + confusion[1][0]);
  // --positive bad: the minority label is the one F1, ROC and the probability are about.
  const positive = glassbox("train", "credit.csv", ...settings, "--threshold", "f1", "--positive", "bad", "--out", "credit-bad.safetensors");
  assert.equal(positive.code, 0, positive.stderr);
  assert.match(positive.stderr, /decision threshold 0\.\d{3}: "bad" when its probability reaches it \(chosen for the F1 of "bad"/);
  const aboutBad = lastJson(glassbox("evaluate", "credit-bad.safetensors", "credit.csv", "--json").stdout);
  assert.deepEqual(aboutBad.labels, ["good", "bad"]);
  assert.equal((aboutBad.binary as { positive: string }).positive, "bad");
  const perClass = aboutBad.per_class as { label: string; support: number }[];
  assert.equal(perClass[1].label, "bad");
  assert.equal(perClass[1].support, (plain.per_class as { label: string; support: number }[])[0].support, "the same rows, the labels swapped");
  assert.match(
    glassbox("train", "credit.csv", ...settings, "--positive", "ugly", "--out", "x.safetensors").stderr,
    /positive: "ugly" must be one of the two labels of a yes\/no dataset; its labels are "bad" and "good"/,
  );
  const bad = glassbox("train", "credit.csv", ...settings, "--threshold", "1.5", "--out", "x.safetensors");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threshold: expected auto, f1 or a number between 0 and 1 \(e\.g\. 0\.3\), got "1\.5"/);
});
