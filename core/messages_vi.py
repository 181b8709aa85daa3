"""The Vietnamese texts the walk itself gives its users (the reports' and the feedback's own
texts live beside their builders): one place to read them and fix a word."""

from __future__ import annotations

# F01 for a cell's workbook that breaks even a validation of its own
UNCHECKABLE_WORKBOOK = (
    "Hệ thống không kiểm tra được tệp này (nội dung bất thường). Ban Tổ chức Huyện ủy sẽ "
    "xem xét; đề nghị chi bộ kiểm tra lại tệp theo đúng biểu mẫu.")

# F01 for a district's (or commune's) data file that breaks even a validation of its own
UNCHECKABLE_DATA_FILE = (
    "Hệ thống không kiểm tra được tệp dữ liệu này (nội dung bất thường). Ban Tổ chức Tỉnh ủy "
    "sẽ xem xét; đề nghị xuất lại tệp bằng phần mềm và gửi lại.")

# The officer's e-mails from the Prefect automations (flows/alerts.py): subject and body,
# Jinja templates filled in by the Prefect server from the flow run or the event.
RUN_FAILED_MAIL = (
    "Lượt chạy {{ flow_run.name }}: {{ flow_run.state.name }}",
    "Lượt chạy {{ flow_run.name }} (deployment {{ deployment.name }}) kết thúc ở "
    "trạng thái {{ flow_run.state.name }}:\n\n{{ flow_run.state.message }}\n\n"
    "Nhật ký của lượt chạy: trong bảng điều khiển Prefect, hoặc\n"
    "  prefect flow-run logs {{ flow_run.id }}\n")

RUN_LATE_MAIL = (
    "Lượt chạy {{ flow_run.name }} bị trễ (Late)",
    "Lượt chạy {{ flow_run.name }} (deployment {{ deployment.name }}) lẽ ra bắt "
    "đầu lúc {{ flow_run.expected_start_time }} (giờ UTC; giờ Việt Nam = UTC+7) "
    "nhưng chưa có tiến trình nào nhận chạy.\n\nHãy kiểm tra `cellreports serve` "
    "(hoặc worker của work pool) và máy chủ Prefect: lượt chạy sẽ bắt đầu ngay "
    "khi chúng chạy lại.\n")

MONTH_INCOMPLETE_MAIL = (
    "Tháng {{ event.payload.period }}: "
    "{{ event.payload.without_accepted_report|length }} chi bộ chưa có báo cáo "
    "hợp lệ",
    "Đã quá hạn ngày {{ event.payload.deadline }}. Trong "
    "{{ event.payload.expected }} chi bộ: {{ event.payload.accepted }} có báo cáo "
    "hợp lệ, {{ event.payload.rejected }} bị trả lại, {{ event.payload.missing }} "
    "chưa gửi.\n\nChưa có báo cáo hợp lệ: "
    "{{ event.payload.without_accepted_report|join(', ') }}\n\n"
    "Chi tiết: artifact month-completeness-{{ event.payload.period }} trong bảng "
    "điều khiển Prefect.\n")

FEEDBACK_FAILED_MAIL = (
    "Không gửi được kết quả kiểm tra cho {{ event.payload.unit }}",
    "Kết quả kiểm tra tệp của {{ event.payload.unit }} (tháng "
    "{{ event.payload.period }}, {{ event.resource.id }}) không gửi được: "
    "{{ event.payload.error }}.\n\nTệp vẫn ở hộp thư đến; lượt chạy sau sẽ gửi "
    "lại. Nhật ký của lượt chạy cho biết chi tiết.\n")
