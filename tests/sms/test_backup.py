"""Importing SMS backup files: SMS Backup & Restore XML, CSV exports, plain text; hostile files are refused."""

from __future__ import annotations

import os
import time
from datetime import datetime

import pytest

from bot.clock import CHINA
from bot.sms.backup import MAX_MESSAGES, BackupRejected, parse_backup

XML = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<!--File Created By SMS Backup & Restore v10.20.002 on 03/11/2024 10:00:00-->
<smses count="3" backup_set="b1" backup_date="1730599200000" type="full">
  <sms protocol="0" address="1069055512345" date="1730570043000" type="1" subject="null"
       body="【速借宝】您的验证码为 884213，5分钟内有效。" toa="null" sc_toa="null" service_center="+8613800100500"
       read="1" status="-1" locked="0" date_sent="1730570041000" sub_id="1"
       readable_date="2024年11月3日 上午1:54:03" contact_name="(Unknown)" />
  <sms protocol="0" address="13800138000" date="1730573700000" type="2" subject="null"
       body="别再给我发了" read="1" status="-1" locked="0" readable_date="2024年11月3日 上午2:55:00" contact_name="催收" />
  <sms protocol="0" address="+86 171 0000 1234" date="1730577300000" type="1" subject="null"
       body="再不还钱就把你的通讯录发给你全家&#10;你等着 &#55357;&#56864;" read="1" status="-1" locked="0"
       readable_date="2024年11月3日 上午3:55:00" contact_name="催收" />
</smses>
"""


def test_sms_backup_and_restore_xml_keeps_received_messages() -> None:
    records = parse_backup(XML.encode("utf-8"), "sms-20241103.xml")
    assert len(records) == 2  # the message sent by the user is skipped
    first, second = records
    assert first.sender == "1069055512345"
    assert first.text == "【速借宝】您的验证码为 884213，5分钟内有效。"
    assert first.source == "backup"
    assert first.sent_at is not None and first.sent_at.tzinfo is not None
    # 1730570043000 ms = 2024-11-02 17:54:03 UTC = 2024-11-03 01:54:03 in Shanghai
    assert first.sent_at.astimezone(CHINA).replace(second=0) == datetime(2024, 11, 3, 1, 54, tzinfo=CHINA)
    assert second.sender == "+86 171 0000 1234"
    assert second.text == "再不还钱就把你的通讯录发给你全家\n你等着 😠"  # surrogate-pair references joined
    assert second.sent_at == datetime(2024, 11, 3, 3, 55, tzinfo=CHINA)


def test_xml_with_bom_and_without_declaration() -> None:
    data = b"\xef\xbb\xbf" + b'<smses count="1"><sms address="10690" date="1730570043" type="1" body="hi" /></smses>'
    (record,) = parse_backup(data, "x.xml")
    assert record.sent_at == datetime(2024, 11, 3, 1, 54, 3, tzinfo=CHINA)  # epoch seconds accepted too


def test_empty_smses_gives_empty_list() -> None:
    assert parse_backup(b"<smses/>", "empty.xml") == []
    assert parse_backup(b"<?xml version='1.0' encoding='UTF-8'?><smses count=\"0\"></smses>", "empty.xml") == []


def test_csv_with_chinese_headers() -> None:
    csv_text = (
        "号码,联系人,时间,类型,短信内容\n"
        '106905551234,,2024-11-03 02:14:00,接收,"【某某商城】验证码 123456，请勿泄露。"\n'
        '13800138000,我,2024-11-03 02:15:00,发送,"别发了"\n'
        '106905559999,,1730570043000,接收,"【速借宝】逾期未还, 将联系你的紧急联系人"\n'
        '17100001234,催收员,2024/11/3 下午3:05,接收,"今天下午三点前还款"\n'
    )
    records = parse_backup(csv_text.encode("utf-8-sig"), "导出.csv")
    assert [r.sender for r in records] == ["106905551234", "106905559999", "17100001234"]
    assert records[0].sent_at == datetime(2024, 11, 3, 2, 14, tzinfo=CHINA)
    assert records[1].text == "【速借宝】逾期未还, 将联系你的紧急联系人"
    assert records[1].sent_at == datetime(2024, 11, 3, 1, 54, 3, tzinfo=CHINA)
    assert records[2].sent_at == datetime(2024, 11, 3, 15, 5, tzinfo=CHINA)
    assert all(r.source == "backup" for r in records)


def test_csv_with_english_headers_tabs_and_separate_date_time_columns() -> None:
    tsv = "address\tdate\ttime\tbody\n10690555\t2024-11-03\t02:14\t【平台】验证码 5678\n"
    (record,) = parse_backup(tsv.encode(), "export.tsv")
    assert record.sender == "10690555"
    assert record.sent_at == datetime(2024, 11, 3, 2, 14, tzinfo=CHINA)
    assert record.text == "【平台】验证码 5678"


def test_gb18030_text_file_goes_through_parse_paste() -> None:
    text = "106905551234\n2024-11-03 02:14\n【某某商城】验证码 123456，请勿泄露。\n\n2024-11-03 02:16\n再不还钱就去你单位找你"
    records = parse_backup(text.encode("gb18030"), "短信.txt")
    assert len(records) == 2
    assert records[0].text == "【某某商城】验证码 123456，请勿泄露。"
    assert records[0].sender == "106905551234"
    assert records[1].text == "再不还钱就去你单位找你"
    assert records[1].sent_at == datetime(2024, 11, 3, 2, 16, tzinfo=CHINA)
    assert all(r.source == "backup" for r in records)


def test_xxe_is_refused_and_never_reads_the_file() -> None:
    payload = (
        b'<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<smses count="1"><sms address="1" date="1730570043000" type="1" body="&xxe;" /></smses>'
    )
    with pytest.raises(BackupRejected) as caught:
        parse_backup(payload, "evil.xml")
    assert caught.value.reason == "unsafe_xml"
    assert "root:" not in str(caught.value)
    external_dtd = b'<?xml version="1.0"?><!DOCTYPE smses SYSTEM "file:///etc/passwd"><smses/>'
    with pytest.raises(BackupRejected) as caught:
        parse_backup(external_dtd, "evil.xml")
    assert caught.value.reason == "unsafe_xml"


def test_billion_laughs_is_refused_quickly() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    payload = f'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY l0 "lol">{entities}]><smses><sms type="1" address="1" date="1" body="&l9;"/></smses>'
    start = time.perf_counter()
    with pytest.raises(BackupRejected) as caught:
        parse_backup(payload.encode(), "lol.xml")
    assert caught.value.reason == "unsafe_xml"
    assert time.perf_counter() - start < 0.5


def test_oversized_input_is_refused() -> None:
    with pytest.raises(BackupRejected) as caught:
        parse_backup(b"a" * (11 * 1024 * 1024), "big.txt")
    assert caught.value.reason == "too_large"


def test_too_many_messages_are_refused() -> None:
    row = b'<sms address="1069" date="1730570043000" type="1" body="x" />'
    with pytest.raises(BackupRejected) as caught:
        parse_backup(b"<smses>" + row * (MAX_MESSAGES + 1) + b"</smses>", "many.xml")
    assert caught.value.reason == "too_many"


@pytest.mark.parametrize("filename", ["backup.xml", "export.csv", "sms.txt", "unknown.bin"])
def test_random_bytes_are_unreadable(filename: str) -> None:
    data = bytes.fromhex("89504e470d0a1a0a") + os.urandom(4096)
    with pytest.raises(BackupRejected) as caught:
        parse_backup(data, filename)
    assert caught.value.reason == "unreadable"


def test_malformed_xml_and_foreign_xml() -> None:
    with pytest.raises(BackupRejected) as caught:
        parse_backup(b"<smses><sms address='1' ", "cut.xml")
    assert caught.value.reason == "unreadable"
    with pytest.raises(BackupRejected) as caught:
        parse_backup(b"<html><body>hi</body></html>", "page.xml")
    assert caught.value.reason == "unsupported_xml"


def test_long_plain_text_is_parsed_in_pieces() -> None:
    block = "106905551234\n2024-11-03 02:14\n【某某商城】验证码 123456，请勿泄露。\n\n"
    records = parse_backup((block * 6000).encode(), "long.txt")  # ~400,000 characters, above one paste's limit
    assert len(records) == 6000


def test_csv_prefers_the_number_column_and_reads_epoch_columns_one_by_one() -> None:
    csv_text = "contact_name,address,date,date_sent,type,body\n催收,10690555,1730570043000,1730570041000,1,你等着\n"
    (record,) = parse_backup(csv_text.encode(), "export.csv")
    assert record.sender == "10690555"
    assert record.sent_at == datetime(2024, 11, 3, 1, 54, 3, tzinfo=CHINA)
    assert record.text == "你等着"
