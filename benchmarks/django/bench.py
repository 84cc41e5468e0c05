#!/usr/bin/python3
"""Django side of the comparative benchmarks.

benchmarks/cmd/compare runs this script once per workload, with the system
interpreter and Debian's python3-django, and reads the JSON object it prints:

    /usr/bin/python3 bench.py send|save|cascade [--runs 3] [--saves 5000]
                                                [--books 2000] [--comments 5]

The workloads are those of the Go side (benchmarks/workload), on an SQLite
file in a temporary directory:

  send     Signal.send(sender=Sender, id=1, name="dune") to 0, 1 and 10
           no-op receivers. Each sample times a loop of sends long enough to
           last --min-time seconds; the time of the same loop with an empty
           body is subtracted, so the figure is the cost of send alone.
  save     --saves new Entry objects, each written by Model.save(), inside
           one transaction.atomic(), with a pre_save and a post_save receiver
           (sender=Entry).
  cascade  author.delete() of one author with --books books of --comments
           comments each (on_delete=CASCADE), with a pre_delete and a
           post_delete receiver for every model; seeding is not timed.

Statements are counted with connection.execute_wrapper: SELECT, INSERT,
UPDATE and DELETE, as the Go side counts them in its database driver.
Garbage is collected before each timed run, as on the Go side.
"""

import argparse
import gc
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time


def kind(sql):
    """Classifies a statement by its first keyword, as workload.Kind does."""
    word = sql.lstrip(" \t\r\n(").split(None, 1)[0].split("(", 1)[0].lower() if sql.strip() else ""
    if word in ("select", "with"):
        return "select"
    if word in ("insert", "replace"):
        return "insert"
    if word in ("update", "delete"):
        return word
    return "other"


class Queries:
    """An execute wrapper counting statements by kind."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.kinds = {"select": 0, "insert": 0, "update": 0, "delete": 0, "other": 0}

    def data(self):
        k = self.kinds
        return k["select"] + k["insert"] + k["update"] + k["delete"]

    def __call__(self, execute, sql, params, many, context):
        self.kinds[kind(sql)] += 1
        return execute(sql, params, many, context)


def setup(dbdir):
    """Configures Django in-process on an SQLite file and creates the tables."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=["benchapp"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.path.join(dbdir, "bench.db"),
            }
        },
        USE_TZ=False,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    from django.db import connection
    from benchapp.models import Author, Book, Comment, Entry

    with connection.schema_editor() as editor:
        for model in (Author, Book, Comment, Entry):
            editor.create_model(model)


def clear():
    """Deletes every row with plain SQL, sending no signal."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("benchapp_comment", "benchapp_book", "benchapp_author", "benchapp_entry"):
            cur.execute("DELETE FROM " + table)


def bench_send(args):
    from django.dispatch import Signal

    class Sender:
        pass

    results = []
    for n in (0, 1, 10):
        sig = Signal()
        keep = []  # receivers are held weakly by default, as in any Django app
        for _ in range(n):
            def receiver(sender, **kwargs):
                return None

            keep.append(receiver)
            sig.connect(receiver)
        if len(sig.send(sender=Sender, id=1, name="dune")) != n:
            raise SystemExit("send did not reach %d receivers" % n)
        send = sig.send
        iters = 1000
        while True:
            t0 = time.perf_counter_ns()
            for _ in range(iters):
                send(sender=Sender, id=1, name="dune")
            dt = time.perf_counter_ns() - t0
            if dt >= args.min_time * 1e9 / 4:
                break
            iters *= 2
        iters = max(1000, int(iters * args.min_time * 1e9 / max(dt, 1)))
        samples = []
        for _ in range(args.runs):
            rng = range(iters)
            gc.collect()
            t0 = time.perf_counter_ns()
            for _ in rng:
                pass
            empty = time.perf_counter_ns() - t0
            t0 = time.perf_counter_ns()
            for _ in rng:
                send(sender=Sender, id=1, name="dune")
            dt = time.perf_counter_ns() - t0
            samples.append((dt - empty) / iters)
        results.append({"name": "send/r=%d" % n, "unit": "ns/op", "iterations": iters, "samples": samples})
    return results


def bench_save(args):
    from django.db import connection, transaction
    from django.db.models.signals import post_save, pre_save
    from benchapp.models import Entry

    counts = {"pre_save": 0, "post_save": 0}

    def on_pre_save(sender, instance, **kwargs):
        counts["pre_save"] += 1

    def on_post_save(sender, instance, created, **kwargs):
        counts["post_save"] += 1

    pre_save.connect(on_pre_save, sender=Entry)
    post_save.connect(on_post_save, sender=Entry)
    queries = Queries()
    samples, runs = [], []
    for _ in range(args.runs):
        clear()
        queries.reset()
        counts.update(pre_save=0, post_save=0)
        gc.collect()
        with connection.execute_wrapper(queries):
            t0 = time.perf_counter_ns()
            with transaction.atomic():
                for i in range(args.saves):
                    Entry(title="entry " + str(i), pages=i).save()
            dt = time.perf_counter_ns() - t0
        if Entry.objects.count() != args.saves:
            raise SystemExit("save: %d rows, want %d" % (Entry.objects.count(), args.saves))
        samples.append(dt)
        runs.append({"queries": queries.data(), "kinds": dict(queries.kinds), "signals": dict(counts)})
    return [dict(name="save", unit="ns/op", samples=samples, **consistent(runs))]


def seed(books, comments):
    from benchapp.models import Author, Book, Comment

    author = Author.objects.create(name="author")
    Book.objects.bulk_create([Book(title="book %d" % i, author=author) for i in range(books)], batch_size=500)
    ids = list(Book.objects.filter(author=author).order_by("id").values_list("id", flat=True))
    Comment.objects.bulk_create(
        [Comment(body="comment %d" % j, book_id=b) for b in ids for j in range(comments)], batch_size=500
    )
    return author.pk


def bench_cascade(args):
    from django.db import connection
    from django.db.models.signals import post_delete, pre_delete
    from benchapp.models import Author, Book, Comment

    counts = {"pre_delete": 0, "post_delete": 0}
    by_model = {}

    def on_pre_delete(sender, instance, **kwargs):
        counts["pre_delete"] += 1
        key = "pre_delete." + sender._meta.model_name
        by_model[key] = by_model.get(key, 0) + 1

    def on_post_delete(sender, instance, **kwargs):
        counts["post_delete"] += 1
        key = "post_delete." + sender._meta.model_name
        by_model[key] = by_model.get(key, 0) + 1

    pre_delete.connect(on_pre_delete)
    post_delete.connect(on_post_delete)
    queries = Queries()
    samples, runs = [], []
    for _ in range(args.runs):
        clear()
        author = Author.objects.get(pk=seed(args.books, args.comments))
        queries.reset()
        counts.update(pre_delete=0, post_delete=0)
        by_model.clear()
        gc.collect()
        with connection.execute_wrapper(queries):
            t0 = time.perf_counter_ns()
            author.delete()
            dt = time.perf_counter_ns() - t0
        left = Author.objects.count() + Book.objects.count() + Comment.objects.count()
        if left:
            raise SystemExit("cascade: %d rows left" % left)
        samples.append(dt)
        runs.append({"queries": queries.data(), "kinds": dict(queries.kinds), "signals": dict(counts),
                     "by_model": dict(by_model)})
    return [dict(name="cascade", unit="ns/op", samples=samples, **consistent(runs))]


def consistent(runs):
    """Returns the counts of the runs, which must all be the same."""
    for r in runs[1:]:
        if r != runs[0]:
            raise SystemExit("counts differ between runs: %r and %r" % (runs[0], r))
    return runs[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("workload", choices=["send", "save", "cascade"])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--min-time", type=float, default=0.2, help="seconds per send sample")
    p.add_argument("--saves", type=int, default=5000)
    p.add_argument("--books", type=int, default=2000)
    p.add_argument("--comments", type=int, default=5)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="signals-django-") as dbdir:
        setup(dbdir)
        import django

        bench = {"send": bench_send, "save": bench_save, "cascade": bench_cascade}[args.workload]
        out = {
            "django": django.get_version(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "workload": args.workload,
            "results": bench(args),
        }
        from django.db import connection

        connection.close()
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
