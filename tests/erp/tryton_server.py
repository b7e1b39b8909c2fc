"""A real Tryton 8.0 server (SQLite) for the ERP-connector tests.

The database is built once (trytond-admin activates sale, stock and account_invoice; the master
data goes in over RPC: company in CNY, a minimal chart of accounts, calendar fiscal years, a
payment term, an accounting product category, a payment method) and kept as a snapshot in
`.data/tryton/`, named by the pinned requirements and the year (the fiscal years are built
around today). Each test session starts one server on a fresh copy; tests use their own order
numbers and product codes, and a test that needs a server that is down stops and starts it.

Findings behind each step (8.0's RPC path, session auth, WAL snapshots, why `-d` is required):
docs/tryton/research_notes.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
import xmlrpc.client
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(os.environ.get("TRYTON_VENV_BIN", ROOT / ".tools" / "tryton" / "bin"))
REQUIREMENTS = Path(__file__).with_name("tryton-requirements.txt")
DB_NAME = "prm"
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin-pass-123"
MODULES = ["sale", "stock", "account_invoice"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(workdir: Path, port: int) -> Path:
    (workdir / "db").mkdir(parents=True, exist_ok=True)
    conf = workdir / "trytond.conf"
    conf.write_text(
        "[database]\n"
        "uri = sqlite://\n"
        f"path = {workdir / 'db'}\n\n"
        "[web]\n"
        f"listen = 127.0.0.1:{port}\n\n"
        "[session]\n"
        "timeout = 3600\n\n"
        "[password]\n"
        "length = 0\n"
    )
    return conf


def snapshot_path(cache: Path) -> Path:
    key = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    return cache / f"prm-{key}-{dt.date.today().year}.sqlite"


def build_snapshot(cache: Path) -> Path:
    """The snapshot for these requirements and this year, built when missing (~20 s)."""
    snap = snapshot_path(cache)
    if snap.exists():
        return snap
    build = cache / "build"
    shutil.rmtree(build, ignore_errors=True)
    conf = write_config(build, free_port())
    dbfile = build / "db" / f"{DB_NAME}.sqlite"
    dbfile.touch()  # the sqlite backend does not create the file
    passfile = build / "passfile"
    passfile.write_text(ADMIN_PASSWORD + "\n")
    with (build / "admin.log").open("w") as log:
        subprocess.run(
            [
                str(VENV_BIN / "trytond-admin"),
                "-c",
                str(conf),
                "-d",
                DB_NAME,
                "--email",
                "admin@example.com",  # otherwise it asks on stdin
                "--activate-dependencies",
                "-u",
                *MODULES,
            ],
            env=dict(os.environ, TRYTONPASSFILE=str(passfile)),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    server = TrytonServer(build, None)
    server.start()
    try:
        setup_master_data(server.connect())
    finally:
        server.stop()
    # trytond runs SQLite in WAL mode: the backup API folds the log into one file.
    tmp = snap.with_suffix(".tmp")
    with sqlite3.connect(dbfile) as source, sqlite3.connect(tmp) as target:
        source.backup(target)
    source.close()
    target.close()
    os.replace(tmp, snap)
    shutil.rmtree(build, ignore_errors=True)
    return snap


class TrytonServer:
    def __init__(self, workdir: Path, snapshot: Path | None) -> None:
        self.workdir = workdir
        self.snapshot = snapshot
        self.port = free_port()
        self.conf = write_config(workdir, self.port)
        self.dbfile = workdir / "db" / f"{DB_NAME}.sqlite"
        self.proc: subprocess.Popen[bytes] | None = None
        if snapshot is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.dbfile}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(snapshot, self.dbfile)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{DB_NAME}/rpc/"

    def start(self, timeout: float = 30.0) -> None:
        log = (self.workdir / "server.log").open("ab")
        # -d is required: trytond 8.0.12's lazy pool loading fails (KeyError 'res.user').
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "trytond"), "-c", str(self.conf), "-d", DB_NAME],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"trytond exited with {self.proc.returncode}")
            if self.answers():
                return
            time.sleep(0.05)
        self.stop()
        raise TimeoutError("trytond did not answer")

    def answers(self) -> bool:
        body = json.dumps({"id": 0, "method": "common.db.list", "params": []}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/rpc/",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return DB_NAME in json.load(response).get("result", [])
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def connect(self) -> Any:
        """A proteus config logged in as admin (session auth: one password check)."""
        from proteus import config as proteus_config

        server = xmlrpc.client.ServerProxy(self.url, allow_none=True, use_builtin_types=True)
        session: Any = server.common.db.login(ADMIN_LOGIN, {"password": ADMIN_PASSWORD})
        auth = base64.b64encode(f"{ADMIN_LOGIN}:{session[0]}:{session[1]}".encode()).decode()
        return proteus_config.set_xmlrpc(self.url, headers=[("Authorization", "Session " + auth)])


# ----------------------------------------------------------- master data ---
def setup_master_data(config) -> dict:
    """Minimum master data so that sale -> invoice -> payment works.

    Company (CNY), minimal English chart of accounts, calendar fiscal years
    (last, current, next) with periods + move/invoice sequences, a 'Direct'
    payment term, an accounting product category, a cash payment method.
    """
    from proteus import Model, Wizard

    Currency = Model.get("currency.currency", config=config)
    Party = Model.get("party.party", config=config)
    User = Model.get("res.user", config=config)

    # 1. currency + company ------------------------------------------------
    (cny,) = Currency.find([("code", "=", "CNY")]) or [None]
    if cny is None:
        cny = Currency(name="Chinese Yuan", code="CNY", symbol="¥", rounding=Decimal("0.01"))
        cny.save()
    company_config = Wizard("company.company.config", config=config)
    company_config.execute("company")
    company = company_config.form
    party = Party(name="PRM Vendor Ltd")
    party.save()
    company.party = party
    company.currency = cny
    company.timezone = "Asia/Shanghai"
    company_config.execute("add")
    # the wizard sets admin.company; reload the context so 'company' is in it
    config._context = User.get_preferences(True, {})
    (company,) = Model.get("company.company", config=config).find()

    # 2. chart of accounts ------------------------------------------------
    AccountTemplate = Model.get("account.account.template", config=config)
    ModelData = Model.get("ir.model.data", config=config)
    Account = Model.get("account.account", config=config)
    chart_id = ModelData.get_id("account.account_template_root_en", config.context)
    create_chart = Wizard("account.create_chart", config=config)
    create_chart.execute("account")
    create_chart.form.account_template = AccountTemplate(chart_id)
    create_chart.form.company = company
    create_chart.execute("create_account")

    def one(domain):
        (rec,) = Account.find(
            [("company", "=", company.id), ("closed", "!=", True), *domain], limit=1
        )
        return rec

    receivable = one([("type.receivable", "=", True)])
    payable = one([("type.payable", "=", True)])
    revenue = one([("type.revenue", "=", True)])
    expense = one([("type.expense", "=", True)])
    cash = one([("code", "=", "1.1.1")])
    create_chart.form.account_receivable = receivable
    create_chart.form.account_payable = payable
    create_chart.form.category_account_expense = expense
    create_chart.form.category_account_revenue = revenue
    create_chart.execute("create_properties")

    # 3. fiscal years (calendar) with periods and sequences ----------------
    FiscalYear = Model.get("account.fiscalyear", config=config)
    SeqStrict = Model.get("ir.sequence.strict", config=config)
    SeqType = Model.get("ir.sequence.type", config=config)
    (move_type,) = SeqType.find([("name", "=", "Account Move")], limit=1)
    (inv_type,) = SeqType.find([("name", "=", "Invoice")], limit=1)
    this_year = dt.date.today().year
    for year in (this_year - 1, this_year, this_year + 1):
        fy = FiscalYear(
            name=str(year),
            company=company,
            start_date=dt.date(year, 1, 1),
            end_date=dt.date(year, 12, 31),
        )
        move_seq = SeqStrict(name=f"Move {year}", sequence_type=move_type, company=company)
        move_seq.save()
        fy.move_sequence = move_seq
        inv_seq = SeqStrict(name=f"Invoice {year}", sequence_type=inv_type, company=company)
        inv_seq.save()
        (seq,) = fy.invoice_sequences
        seq.out_invoice_sequence = inv_seq
        seq.in_invoice_sequence = inv_seq
        seq.out_credit_note_sequence = inv_seq
        seq.in_credit_note_sequence = inv_seq
        fy.save()
        fy.click("create_period")

    # 4. payment term, product category, payment method ---------------------
    PaymentTerm = Model.get("account.invoice.payment_term", config=config)
    term = PaymentTerm(name="Direct")
    term.lines.new(type="remainder")
    term.save()

    Category = Model.get("product.category", config=config)
    cat = Category(name="Goods", accounting=True, account_revenue=revenue, account_expense=expense)
    cat.save()

    Journal = Model.get("account.journal", config=config)
    (cash_journal,) = Journal.find([("code", "=", "CASH")])
    PaymentMethod = Model.get("account.invoice.payment.method", config=config)
    pm = PaymentMethod(
        name="Bank transfer",
        company=company,
        journal=cash_journal,
        credit_account=cash,
        debit_account=cash,
    )
    pm.save()

    # 5. party codes are given by us (external ref), not by a sequence ------
    PartyConfig = Model.get("party.configuration", config=config)
    pconf = PartyConfig(1)
    pconf.party_sequence = None
    pconf.save()
    return {"company": company.id, "currency": cny.id}
