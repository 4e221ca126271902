"""Understanding stage, safety rules: what is certain from the words alone (danger, self-harm, fraud in progress,
requests we must decline, injections); the intent model adds what is meant in other words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.sms.links import LinkKind, hosts, judge

# Where someone is, or what they did, that makes self-harm a matter of minutes: the reply says leave the edge or call
# 120 now before anything else (not "if you have such thoughts")
IMMINENT = re.compile(
    r"楼顶|天台|顶楼|屋顶|桥上|大桥|江边|河边|湖边|海边|铁轨|站在.{0,6}(边上|边缘|栏杆|窗)|窗台|窗户外|"
    r"(已经|刚|刚刚)?(吃了|吞了).{0,8}(药|片)|药.{0,4}(吃了|吞了)|割了|烧炭了|"
    r"on (the|a) (roof|rooftop|bridge|ledge|edge)|rooftop|took (the |all |some )?(pills|tablets)|cut myself",
    re.IGNORECASE,
)
# A way of doing it named ("想从楼上跳下去", "安眠药"), not yet at the edge: the emergency numbers come first
METHOD = re.compile(
    r"跳下去|跳楼|跳河|跳江|卧轨|割腕|上吊|烧炭|安眠药|(吃|吞|攒).{0,3}药|(药|绳子|刀片|炭).{0,6}(都)?(准备好|买好|备好|攒够)|"
    r"jump (off|from)|pills|hang myself",
    re.IGNORECASE,
)
# Someone else in danger of harming themselves ("我儿子说他不想活了"): how to help them, not words to the writer as if
# it were them
SOMEONE_ELSE = re.compile(
    r"(儿子|女儿|孩子|老公|老婆|丈夫|妻子|媳妇|老伴|朋友|我妈|我爸|哥|姐|弟|妹|同学|同事|舅舅|叔叔|伯伯|姑姑|阿姨|姨|爷爷|奶奶|外公|外婆|"
    r"姥姥|姥爷|室友|表哥|表姐|表弟|表妹|闺蜜|女朋友|男朋友|对象|邻居|婆婆|公公|岳母|丈母娘|女婿|儿媳).{0,12}(说|要|想|讲|念叨|嚷着|喊着|哭着说)(?!我)(他|她)?.{0,3}"
    r"(不想活|想死|要自杀|想自杀|轻生|活着没(啥|什么)?(意思|意义|劲)|活不下去|不如死|死了算了|活够了|去跳|跳河|跳楼)|"
    r"(?<!我)(他|她)(也|都|就)?(说)?(想死|不想活|要自杀|想自杀|活不下去|要去跳|活够了)|"
    r"(弟|哥|姐|妹|儿子|女儿|朋友|室友|同学|闺蜜|老公|老婆).{0,8}(发|说).{0,6}(永别|告别|再见了)|"
    r"\b(he|she|they)('?s| is| are)? (going to|gonna|wants? to|will|plans? to) (end it|kill (him|her|them)sel(f|ves)|die)|"
    r"\b(he|she) (locked|shut) (him|her)self in|gave away (his|her) (stuff|things)|"
    r"\b(he|she) (swallowed|took|has taken)\b|\b(he|she)('ll| will) kill (him|her)self|\b(he|she) wants to jump|"
    r"\b(he|she)('s| is) standing (there|on|at)|texted me .{0,20}take care of|"
    r"(他|她).{0,4}在(江边|河边|海边|湖边|桥上|楼顶|天台)|(他|她).{0,12}下辈子再|"
    r"\b(he|she)('?s| is)? (gonna|going to) (jump|disappear|finish (him|her)self off)|\b(he|she)('s| is) (on|at) the "
    r"(roof|bridge|ledge)|(sent|texted) me a (photo|picture|pic) of (the )?pills|(posted|sent) a goodbye|"
    r"(mum|mom|mother|dad|father|sister|brother) said (she|he)'?d rather die|"
    r"(他|她)(刚)?(吞了|吃了).{0,4}(安眠药|药)|(他|她|室友|朋友|弟|哥|姐|妹|媳妇|老婆|老公|儿子|女儿|孩子|老伴).{0,6}站在(阳台|楼顶|天台|窗)|"
    r"(表哥|表姐|表弟|表妹|堂哥|堂姐|堂弟|堂妹|哥|姐|弟|妹|朋友|室友|兄弟|同事|同学|老公|老婆|媳妇|儿子|女儿|我爸|我妈).{0,16}"
    r"(爸妈|我爸|我妈|父母|孩子|闺女|儿子|女儿|老婆|家里).{0,4}(以后)?(就)?拜托(大家|你们|你|各位)了|"
    r"(表哥|表姐|表弟|表妹|堂哥|堂姐|堂弟|堂妹|哥|姐|弟|妹|朋友|室友|兄弟|同事|同学|老公|老婆|媳妇|儿子|女儿|我爸|我妈).{0,16}"
    r"(下辈子再(见|做|当)|来世再见|永别)|"
    r"(表哥|表姐|表弟|表妹|堂哥|堂姐|堂弟|堂妹|哥|姐|弟|妹|朋友|室友|兄弟|同事|同学|老公|老婆|媳妇|儿子|女儿|我爸|我妈).{0,16}(以后|帮我|替我)?照顾好(我)?(的)?(闺女|女儿|儿子|孩子|娃|老婆|老公|爸妈|我妈|我爸|家人)|"
    r"\b(he|she) (took|swallowed|has taken) (a lot of|lots of|all (of )?(his|her|the)|too many|a (handful|bunch) of)|"
    r"(弟|哥|姐|妹|朋友|室友|兄弟|儿子|女儿).{0,12}对不起(大家|所有人|你们)|"
    r"(他|她)[^我]{0,8}(跟|对|和)我(说|讲)(他|她)?.{0,3}(不想活|想死|要自杀|想自杀|活着没(啥|什么)?(意思|意义|劲)|活不下去)|my (son|daughter|child|husband|wife|friend|mother|father|brother|sister|flatmate|roommate|girlfriend|boyfriend|uncle|aunt|cousin|dad|mom|mum)"
    r" (says|said|wants|is talking about|keeps saying|talks about|texted me).{0,20}(die|kill (him|her)self|suicide|end it all|"
    r"ending it all|not (want|wanting) to live|life (is ?n'?t|is not|isnt) worth|not worth living)",
    re.IGNORECASE,
)
# Someone the person knew has taken their own life ("我一个朋友因为网贷自杀了"): sorrow, support for the writer, and
# then the answer (what the family owes, the harassment), not words to the writer as if they were at risk
BEREAVED = re.compile(
    r"(儿子|女儿|孩子|老公|老婆|丈夫|妻子|朋友|同学|同事|邻居|亲戚|我妈|我爸|哥|姐|弟|妹|他|她)[^我，。,]{0,12}"
    r"(自杀了|自杀身亡|自杀走了|轻生了|跳楼了|跳楼(走|死)了|跳楼身亡|跳河了|跳江了|上吊了|(吃|喝)(了)?(药|农药|安眠药)(走|死)了|吃药走的|喝农药)|"
    r"my (son|daughter|child|husband|wife|friend|mother|father|brother|sister|colleague|cousin|roommate|classmate|dad|mom|mum|"
    r"uncle|aunt|neighbou?r|flatmate|girlfriend|boyfriend)('s \w+)?"
    r"\b.{0,40}"
    r"(killed (him|her)self|took (his|her) (own )?life|died by suicide|committed suicide|overdosed)",
    re.IGNORECASE,
)
# Someone else at risk right now ("he's going to end it tonight", "他已经出门了", "phone is off"): 110 where they are, first
OTHER_NOW = re.compile(
    r"今晚|今天晚上|现在|马上|已经出门|出门了|关机|不接|联系不上|永别|告别|锁在|吞了|站在|挂了|"
    r"on the (roof|bridge|ledge)|at the bridge|pills|switched off|left with|"
    r"tonight|right now|\bnow\b|phone is off|not answering|swallowed|standing there|江边|河边|桥上|楼顶|天台|locked (him|her)self|won'?t answer|wont answer|not answering|goodbye|gave away",
    re.IGNORECASE,
)
# After that: they are back from the edge, or calmer
SAFER = re.compile(
    r"(我)?下来了|离开(了)?(天台|楼顶|那里|桥)|回(到)?(家|屋|房间)(里)?了|没事了|好(一)?点了|冷静(一点|一些|些)?了|不会(做傻事|乱来)|"
    r"\bi('m| am) (down|back inside|inside now|safe)\b|came down|got down|feel(ing)? (a bit )?better",
    re.IGNORECASE,
)


class Concern(Enum):
    """What a safety rule found in a message."""

    DANGER = "danger"  # the person is threatened with violence: tell them to call 110, then help
    SELF_HARM = "self_harm"  # the person may harm themselves: support first, then help
    FRAUD = "fraud"  # a scam is under way (安全账户, 共享屏幕, 注销账户): "do not transfer" first
    PAID = "paid"  # money already sent; with a scam in view: 110 and the bank first
    COUNTER_ATTACK = "counter_attack"  # wants to bomb or harass the collector back: decline
    DOXXING = "doxxing"  # wants a collector's ID/address to confront them: decline
    FORGERY = "forgery"  # wants forged court papers or seals: decline
    EVADE = "evade"  # wants to dodge a lawful debt: decline that part, offer legitimate help
    UNLAWFUL = "unlawful"  # another unlawful request, understood by meaning: decline kindly, show the lawful path
    INJECTION = "injection"  # tries to change the bot's rules: note it, treat the text as data


BLOCKING = (Concern.COUNTER_ATTACK, Concern.DOXXING, Concern.FORGERY, Concern.EVADE, Concern.UNLAWFUL)


@dataclass(frozen=True)
class Verdict:
    """The concerns found; `blocking` ones replace the normal answer, the others precede it."""

    concerns: tuple[Concern, ...]

    @property
    def blocking(self) -> Concern | None:
        """The first concern that replaces the normal answer, if any."""
        for c in self.concerns:
            if c in BLOCKING:
                return c
        return None


_RULES: list[tuple[Concern, re.Pattern[str]]] = [
    (
        Concern.DANGER,
        re.compile(
            r"(弄死(?!.{0,20}(开玩笑|玩笑|哈哈|hh|lol))|(?<!会)(?<!想)(?<!恨不得)打死(?!我也|我都|也不|都不)(?!.{0,20}(哈哈|hh|lol|开玩笑|玩笑))|砍死(?!.{0,20}(开玩笑|玩笑|哈哈|hh|lol))|砍你|砍我|杀了|杀你|卸你|打断你|泼油漆|泼硫酸|捅你|捅我|揍你|带.{0,3}兄弟|带人|找人.{0,4}(打|收拾|弄)|"
            r"人身安全|救命|在(我|她|他|我妈|我爸|爸妈|父母|我爷爷|我奶奶)?家门口.{0,8}(拍门|敲门|砸门|踹门|堵|不走)|在我家门口|拍门|不开门就不走|"
            r"(蹲|堵|守|等)在(我|我家|我们)?.{0,4}(楼下|门口|单元门|单元楼下|小区门口)|(抄起|抄着|举着|拎起|提着?|拿着?).{0,2}(扳手|锤子|斧头|铁锹|钢管|板砖|刀|棍)|"
            r"(要去|说要去).{0,10}(砸|打|捅|砍|拼命|算账).{0,20}(已经|刚)?(出门|下楼|走了|去了|开车走)|"
            r"(拿着|拎着|抄起|提着|举着).{0,6}(出门|出去|下楼|走了).{0,16}(算账|拼命|砸|打|砍)|(算账|拼命).{0,10}(拦不住|劝不住)|"
            r"(we|i) know (which|what|where|your) (dorm|room|building|flat|apartment|school|office)|see you tonight|"
            r"we'?ll (come|be there|visit|find you) tonight|(coming|come) (for you|to (your|the) (dorm|room|place|flat|house)) tonight|"
            r"堵在门口|堵着?我|正在砸|在砸门|砸门|踹门|撬门|(踹|砸|撬|敲烂).{1,3}门|砸东西|摔东西|"
            r"(拉着?|带着?)我一起死|同归于尽|躲(到|在|进)(了)?邻居家|(抓|拽|扣|按)着我不让(我)?走|不让我(走|下车|出去|离开|出门)|(堵|关|锁)在车里|"
            r"(拎|提|握|拿)着?.{0,2}(刀|菜刀|棍|棒|砖|铁棍)|楼下.{0,12}(等|蹲|堵)(着)?我|won'?t let me (leave|go|out)|"
            r"(抓|带走|绑|抢)(走)?(我|你)的?(女儿|儿子|孩子|小孩)(?!.{0,6}(坐牢|判刑|拘留|进监狱|蹲|进去))|"
            r"打断(我|你)的?(腿|手)|(在)?楼下(蹲|堵|等)我|不敢下楼|watch (my|your) back|拿着?刀|一直跟着我|跟踪我|跟着我.{0,12}(走|回家|到)|"
            r"(现在|正在|已经).{0,6}(在我家|在门口|楼下|上门)|(总|老|一直)(觉得|感觉)有人(跟着|跟踪|盯着)我|"
            r"关在.{0,6}(屋|房间)|不让我走|不敢开门|门外.{0,4}有人|在门外|"
            r"有人.{0,4}(敲门|砸门|在门口|在门外|在楼道)|知道.{0,4}(我|你)?(住|家)(在)?(哪|哪里|哪儿|在哪)|"
            r"(发|拍)了?.{0,8}(小区|楼下|家门口|单元门|楼道|我家).{0,4}的?(照片|视频)|"
            r"知道.{0,8}(孩子|女儿|儿子|家人).{0,8}(学校|上学|住哪|在哪)|喊我(的)?名字|堵在.{0,8}(屋|家|门口|房间|出租屋)|"
            r"不让(她|他|我)(出门|走|离开)|"
            r"(今晚|今天晚上|今天|马上|等会儿?|待会儿?)就?要?(上门|来我家|到我家|来找我).{0,20}(一个人|好怕|害怕)|"
            r"一个人在家.{0,20}(上门|来我家|到我家)|(今晚|今天晚上|马上|等会儿?|待会儿?|一会儿?)就?要?(带人)?(上门|来我家|到我家|来找我|上门找我|过来找我|来堵我)|"
            r"(他们|催收的?人?|那些人|那帮人|对方|有人|几个人|一群人|好几个人|人).{0,4}(?<!打)(?<!寄)(?<!发)(在|到|来到|堵在|守在)(我家|我们|我们家|我)?(小区|楼|单元)?"
            r"(门口|楼下|门外|家门口|我家|单位|公司|大门口|楼道)了|(催收|他们|那些人|对方)(的人)?(已经)?上门了|"
            r"(现在|正在|此刻|又).{0,12}(门口|楼下|家里|单位|公司).{0,12}(大喊|喊|骂|闹|拉横幅|堵|砸|踹|敲)|"
            r"在我(单位|公司|家)门口.{0,8}(大喊|喊|骂|闹|拉横幅|堵)|"
            r"outside my (apartment|flat|room|building|office|door|house|home)|(guys|men|people|someone) (outside|at) my|"
            r"(让|叫|要)(你|我|他|她|你们|你全家|我全家).{0,4}不得好死|遗照|灭你全家|(?<!骂我)(?<!骂)全家.{0,4}(陪葬|死光)|"
            r"(come|coming|show up|visit).{0,25}(my|your) (home|house|apartment|flat|place|door).{0,40}(tonight|alone|scared|afraid|beat|hurt|kill)|"
            r"(they|he|she|we|collectors?|someone) (know|knows|found out) where (i|you) live|"
            r"(?<!电话)(?<!天天)(?<!每天)(?<!一直)(?<!老是)(?<!总是)(?<!不停)(?<!成天)(?<!整天)(?<!老)(?<!总)(?<!还)(打|揍|踢|掐|推)了?我(了|一顿|好几下)?(?![^，。,\s]{0,8}(电话|电|号|短信|消息|手机|次|通|座机|家里|单位|公司|微信|qq|QQ|的))(?!的?(座机|手机|电话|家))|动手打|又动手|被.{0,6}(打了(?![个几好多十百0-9一两三四五六七八九\s]*(电话|通|次电话))|打伤|打得|揍了|打流血)|"
            r"(流血|打伤|受伤了|骨折)|拿着?(棍|棒|刀|砖|铁)|(躲在|躲进|锁在)(厕所|卫生间|房间|屋里|柜子)|"
            r"(抢|夺)(走)?了?我的?(手机|包|钱)|"
            r"(hit|hits|hitting|beat|beats|beating|punch\w*|kick\w*|chok\w*) me\b(?! up| out)|hiding in the|bleeding|"
            r"kill (you|me)(?! when (she|he|they|my \w+) (finds?|found) out)(?!.{0,60}\b(haha|lol|lmao|jk)\b)|beat (you|me)\b|hurt my|following me|at my door|banging on)",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.SELF_HARM,
        re.compile(
            r"(不想活|活不下去|想死|(想|要|只能|不如|干脆|该)(.{0,2})去死|寻死|自杀|轻生|了结自己|结束生命|结束这一切|跳楼|跳下去|一了百了|撑不下去|"
            r"安眠药|割腕|活着没意思|活着.{0,4}没(啥|什么)?(意思|意义|劲|盼头)|活着太累|活着好累|"
            r"死了算了|死了就好了|不如死了|一死百了|不想再?挣扎|还能撑多久|撑不了多久|不想(再)?(待|呆|活)在这个世界|"
            r"(儿子|女儿|孩子|老公|老婆|丈夫|妻子|朋友|我妈|我爸|哥|姐|弟|妹).{0,6}(说|要|想)(他|她)?.{0,2}(不想活|想死|要自杀|想自杀|轻生)|"
            r"(去世|过世|走了|不在了|死了|离开).{0,24}(想|要)(去|跟|随)?(陪|找)(他|她|我爸|我妈|爸|妈|他们|她们|老公|老婆|孩子|儿子|女儿)|"
            r"(想|要)(跟|随)(他|她|我爸|我妈|爸爸|妈妈|老公|老婆|他们|她们)(一起)?(走|去)了?(?!.{0,3}(吃|玩|逛|买|旅|看|上班|上学|打工))|"
            r"(好累|太累|累了|撑不住|受不了).{0,10}(想|要)去?(陪|找)(他|她|我爸|我妈|爸|妈|老公|老婆)|"
            r"(do ?n'?t|dont|can'?t) see the point|no point anymore|不想醒|不用醒|睡过去.{0,4}不.{0,2}醒|我先走了(?!.{0,12}(明天|明儿|回头|待会|等会|一会|下次|改天|再来|再问|再聊|回来|晚点|拜拜|bye|上班|吃饭|睡觉|忙))|对不起爸妈|对不起家人|"
            r"解脱|离开这个世界|没有我.{0,6}(更好|会好)|不如死|想消失|不想再?撑|撑不住了|活着.{0,6}(图什么|有什么意思|没意义)|"
            r"活着(还)?有(啥|什么|个)?(用|意义|意思)|活着(还)?(干嘛|干什么|干啥)|"
            r"这辈子.{0,4}就这样了|如果我不在了|我不在了|(睡醒|醒)不醒都无所谓|不想醒来|"
            r"kill(ing)? myself|suicid|end my life|want to die|can'?t go on|cannot go on|"
            r"(think|thinking|thought) (about|of) (jumping|dying|hanging)|jump(ing)? (off|from|out of) (my|the|a)|"
            r"(sleep|go to sleep).{0,12}(not|never) wake up|"
            r"活着就是.{0,4}(添麻烦|拖累|累赘|多余)|我(就)?是(个|一个)?(累赘|拖累|多余的人)|don'?t want to (live|be alive|be here|wake up)|"
            r"no point (in )?living|not worth living|end(ing)? it all|end(ing)? everything|take my (own )?life|"
            r"(sleep|go to sleep) and never wake up|never wake up again|"
            r"(think|thinking|thought) (about|of) ending (it|my life|everything)|no point (in )?going on|"
            r"(just )?want to disappear|don'?t want to (go on|exist)|"
            r"want (it|this) (all )?to end|can'?t take (it|this) anymore|"
            r"(药|绳子|刀片|炭).{0,6}(都)?(准备好|买好|备好|攒够)|准备好了?.{0,4}(药|绳子|炭)|冲下去|跳河|跳江|卧轨|烧炭|"
            r"(就都|一切都|全都)结束了|想跟(谁|你|人)说(一声|再见)|说声再见|"
            r"交代.{0,2}后事|遗书|遗言|"
            r"pills (are )?(ready|saved)|jump (off|from)|say goodbye|no reason to live|better off without me|"
            r"bu ?xiang ?huo|"
            r"(he|she|they)('s| is| are)? (going to|gonna|wants? to|will|plans? to) (end it|kill (him|her|them)sel(f|ves)|die)|"
            r"(locked|shut) (him|her)self in|gave away (his|her|all (his|her)) (stuff|things|belongings)|"
            r"said goodbye to (everyone|everybody|us|me)|stepping in front of|nobody would (even )?(notice|care) if i|"
            r"life (is ?n'?t|is not|isnt) worth|永别了|永别|(跟|和)(大家|所有人|我们)告别|交代了?后事|"
            r"(这条命|我这命).{0,6}(不值钱|不值几个钱|不要了)|活够了|(带着?|抱着?|和|跟)(孩子|儿子|女儿|娃).{0,4}一起(走|死|去死|离开)|"
            r"下辈子再(做|见|当)|来世再见|swallowed.{0,30}(pills|tablets)|(took|taken) (a |the )?(whole )?(bottle|box) of|"
            r"take care of (mom|mum|dad|the kids|my \w+) for me|(he|she)('ll| will) kill (him|her)self|"
            r"don'?t (really )?want to wake up|(wants?|going) to jump (from|off)|"
            r"not being here anymore|better (off )?if i'?m gone|(so )?done with everything|rather die|"
            r"(he|she)('s| is)? (gonna|going to) (jump|disappear|finish (him|her)self off)|finish (him|her)self off|"
            r"(photo|picture|pic) of (the )?pills|sorry for everything|goodbye (message|note|post)|"
            r"(is|'s) (on|at) the (roof|bridge|ledge)|吞了.{0,4}(安眠药|药)|站在(阳台|楼顶|天台|窗)|对不起(大家|所有人|你们)|不想(再)?拖累(你们|我们|家里|家人|大家)|走到那一步|"
            r"(hotline|热线).{0,12}(busy|no ?one|nobody|没人接|打不通|占线)|"
            r"(以后|帮我|替我)照顾好(我)?(的)?(闺女|女儿|儿子|孩子|娃|老婆|老公|爸妈|我妈|我爸|家人)|"
            r"(爸妈|我爸|我妈|父母|孩子|闺女|儿子|女儿|老婆|家里).{0,4}(以后)?(就)?拜托(大家|你们|你|各位)了|"
            r"point (of|in) (getting out of bed|getting up|waking up|living|going on|trying)|"
            r"(took|swallowed|taken) (a lot of|lots of|all (of )?(his|her|my|the)|too many|a (handful|bunch) of).{0,12}(pills|tablets|meds|medicine)|"
            r"sleep forever|永远睡过去|why (do )?i (even )?bother (getting up|waking up|living|going on|trying)|"
            r"why i should (even )?(wake up|get up|keep going|go on|bother)|同归于尽|"
            r"no reason to (get up|wake up|keep going))",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.FRAUD,
        re.compile(
            r"(安全账户|共享屏幕|屏幕共享|会议软件|(帮|替|给|可以|能)(你|我)?注销.{0,8}(账户|账号|贷款)|"
            r"注销.{0,8}(账户|账号|贷款).{0,16}(转账|转钱|交钱|费|共享|下载|会议|影响征信)|"
            r"(转账?|打钱|汇款?).{0,10}(法院|执行局|公安|检察院?)的?(账户|账号|指定)|(消除|修复|洗白|删除).{0,6}(征信|逾期记录)|"
            r"(冒充|自称).{0,6}(公安|警察|法院|检察|客服)|"
            r"(经侦|公安|警察|民警|警官|检察院|法院).{0,8}(打电话|来电话|来电|打来|电话里|视频).{0,20}(涉嫌|诈骗|洗钱|配合调查|逮捕|通缉)|"
            r"(claim\w*|pretend\w*|say\w*|said) (he|she|they)?\s*(was|were|is|are|to be) (the |a |from the )?(police|officer|cop|court)|posing as (the |a )?(police|officer|court)|(转账|打钱|汇款).{0,10}(配合调查|安全|解冻|指定账户)|"
            r"交.{0,6}(手续费|保证金|解冻费).{0,10}(停催|消除|注销|下款|解冻)|"
            r"(转|打|汇).{0,10}(指定账户|指定的账户|安全账户|对方账户).{0,10}(撤案|撤诉|结案|销案|就行|就可以)?|"
            r"(链接|二维码).{0,10}下载.{0,6}(app|APP|App|软件).{0,8}(处理|撤案|撤诉|消除|还款|结案)|"
            r"(帮我|帮你|替我|替你|给我|给你)把?.{0,8}(逾期记录|征信|不良记录|黑名单|逾期).{0,6}(消掉|删掉|抹掉|清掉|去掉|洗掉)|"
            r"(消掉|消除|删掉|删除|洗白|修复|停催|撤诉|下款|解冻|注销).{0,16}(先交|先付|先转|交|付).{0,6}"
            r"(手续费|保证金|服务费|押金|解冻费|工本费|会员费)|"
            r"(借出来|贷出来|套出来|取出来).{0,10}(转给|打给|转到)|(转给|转账给|打钱给)(他|她|对方|客服)|"
            r"(转账?|打钱|汇款?|还款?|还钱)到?.{0,4}(他|她|对方|催收)?的?(个人|私人)(微信|支付宝|账户|账号|卡|银行卡)|"
            r"(转|打|汇|还)(钱|款)?(到|给|进)?(他|她|对方|催收|催收员)(自己)?(的)?(个人|私人)?(卡|银行卡|账户|账号|微信|支付宝)|"
            r"(cut|lower|reduce|halve)\w*.{0,20}(by )?\d+ ?%.{0,40}\b(fee|pay|send|transfer)|"
            r"(减掉?|砍掉?|免掉?|减免)(了)?(一半|大半|\d+%|百分之[0-9一二三四五六七八九十]+).{0,24}(转了|打了|付了|交了|给了|转给|打给)|"
            r"(减免|减一半|免息|停息|注销|修复征信|消除记录|撤诉|销案).{0,20}(先交|先付|先转|先打).{0,8}(服务费|手续费|保证金|费用|\d+)|"
            r"冒充.{0,6}(表哥|表姐|亲戚|家人|儿子|女儿|孩子|朋友|同学|领导|老板|老师).{0,16}(要钱|借钱|转账|打钱|汇款)|"
            r"(债务优化|债务重组|反催收|代理协商|停息挂账|修复征信).{0,30}(服务费|手续费|费用|\d+元|先交|先付|收我)|"
            r"(debt (reduction|relief|settlement|optimi[sz]ation)|written off|(lower|reduce|cut) my debt|half my debt)"
            r".{0,60}\b(fee|pay)|\bfee\b.{0,40}(lower|reduce|cut|write off|written off)|"
            r"(cut|lower|reduce|halve|half)\w*.{0,30}(loan|debt).{0,50}(send|pay|transfer)\w*.{0,30}(first|upfront|in advance)|"
            r"(让|叫|要)我.{0,4}下载.{0,8}(app|APP|App|软件).{0,8}(还款|还钱|处理|转账)?|链接.{0,12}(还款|还钱|转账|缴费|付款)|"
            r"(personal|private) (alipay|wechat|account|bank)|"
            r"验证码.{0,4}(念|读|报|告诉|发)给(他|她|对方|客服)|(念|读|报)给(他|她|对方).{0,6}验证码|"
            r"(自称|说是|冒充).{0,8}(银监会|银保监|金融监管|监管局|淘宝客服|京东客服|客服|警察|公安|法院|检察)|"
            r"注销.{0,6}校园贷|校园贷.{0,10}注销|对公账户|涉嫌洗钱|配合调查.{0,12}(转|不能告诉|保密)|不能告诉(家人|家里)|"
            r"再(转|交|付).{0,8}(就能|就可以|才能).{0,8}(退|返|解冻|提现|到账)|解冻.{0,4}(账户|资金|费)|"
            r"(看了|发了|给我看|出示|有|拿着?|亮出).{0,4}(工作证|警官证|警号|证件)|征信(中心)?内部|内部(人员|渠道|关系).{0,8}(征信|逾期|消除|修复|删除)|"
            r"(交|转|打|付).{0,10}(保证金|押金|手续费|解冻费|撤诉费|和解费|保全费|诉讼费).{0,12}(账户|卡|才能|就能|撤诉|撤案|结案)|"
            r"(加|添加|联系).{0,6}(书记员|法官|法院|执行员|办案人员).{0,8}(QQ|微信|vx)|"
            r"(点了|点开了?|打开了?).{0,8}链接.{0,16}(填了|输了|输入了?|提交了?)|(已经|都|我)?点了.{0,6}(还|又|也)?(填了|输了|输入了?)|"
            r"(填了|输了|输入了?|提交了?).{0,4}(身份证|银行卡|卡号|密码|验证码)|(钱|存款|余额).{0,4}被(转走|骗走|划走|盗刷)|被骗了|"
            r"(法院|冻结|传票|涉嫌|公安|警察|执行).{0,24}(加|添加|联系).{0,4}(qq|QQ|微信|vx|VX)|"
            r"(打到|转到|汇到|转入|打进|存到|还到).{0,10}(个人账户|个人账号|私人账户|个人卡|私人卡|个人银行卡|个人的(账户|卡)|"
            r"他们给的(账户|卡|账号))|(不转|不转账|不打钱|不汇款).{0,12}(警察|公安|民警|抓)|"
            r"(不转|不转钱|不转账|不打钱|不汇款|不交钱).{0,12}(冻结|查封|封卡|拘留|坐牢|起诉|立案|上门)|"
            r"转了?(钱|账)?.{0,4}就.{0,4}(撤诉|撤案|销案|结案|解冻|不起诉)|"
            r"中奖.{0,12}(链接|点开|领奖|领取|手续费|税|保证金)|(领奖|兑奖).{0,8}(链接|先交|手续费|保证金)|"
            r"safe account|share (my|your) screen|screen shar)",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.PAID,
        re.compile(
            r"((已经|刚才|刚刚|都)?.{0,3}(转了|转过去了?|打过去了?|汇了|付了|转账了).{0,10}(\d+|钱|块|元|万)|"
            r"(钱|款).{0,4}(已经|刚才|刚刚|都)?(转|打|汇)(过去|出去|给他|给她|给对方)了|"
            r"(^|[\s，,。])(我)?(已经|刚才|刚刚|刚|都)(转|转过去|打过去|汇过去|付|付过)了?(钱|款)?了?[。！!，,.\s]*$|"
            r"(钱|存款|余额).{0,4}被(转走|骗走|划走|盗刷)|被(转走|骗走|划走|盗刷)了?.{0,6}(\d+|钱|块|元|万)|被骗了.{0,6}(\d+|钱|块|元|万)|"
            r"(钱|那钱|这钱|那些钱|这笔钱).{0,6}(要回来|要得回来|追回|追得回|拿回来|退回来|找回来)|"
            r"(i('ve| have)? )?already (paid|transferred)|i('ve| have)? already sent|already sent (the|my) money|"
            r"i (sent|paid|transferred) (him|them|\d)|(已经|刚刚?|都)(交|付)了(钱|款|费)?[。！!，,.\s]*$|"
            r"(打|转|汇|付|给)了.{0,3}[0-9一二三四五六七八九十两几]+[千万百]?(块|元)|(打|转|汇|付|给)了.{0,3}[0-9一二三四五六七八九十两几]+[千万百](?![a-z\u4e00-\u9fff])|"
            r"(转|打|汇|给)了(他|她|对方)[0-9一二三四五六七八九十两几]+[千万百]?(块|元)?|"
            r"(paid|sent|transferred) (it|them|him|her|the money) already|i('ve| have) (just )?(paid|sent|transferred))",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.COUNTER_ATTACK,
        re.compile(
            r"((反过来|反向|回敬|报复).{0,12}(轰炸|骚扰|呼死|短信)|轰炸.{0,8}(催收员|他|对方|他们)的?(手机|电话|号码)|"
            r"呼死你|短信轰炸(平台|软件|工具)|(编|写|发).{0,6}(短信|信息|话).{0,4}(骂回去|回骂|骂他|骂他们)|骂回去|"
            r"(他|他们|对方|催收员?|催收的人)的?(号码|手机|电话).{0,8}(拿去|也去|去).{0,4}轰炸|把(他|他们|对方|催收员?|催收的人)的?(号码|手机|电话).{0,6}轰炸|"
            r"轰炸(软件|工具|机)|我也(想|要)?.{0,4}轰炸|轰炸回去|批量发短信的?(软件|工具|平台)|"
            r"我.{0,6}报复|找人.{0,10}(堵|打|收拾|教训)(他|他们|对方|催收)|我也(想|要)给.{0,6}(来个|来一个)?.{0,4}轰炸|(给|让)(他|他们|对方|催收).{0,8}也尝尝|"
            r"(去|到)(他|他们|对方|催收)的?(公司|单位|家).{0,4}(闹|堵|砸|骂)|"
            r"bomb (the|his|their) (phone|collector)|bomb .{0,10} back)",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.DOXXING,
        re.compile(
            r"((查|找|扒|人肉).{0,10}(真实姓名|身份证|家庭住址|住哪|家在哪|住址|是谁)|去他家|找他算账|上门找他|人肉|"
            r"(他|他们|催收员?)的?(全家|家人|家里人)?的?(信息|照片|电话|名字).{0,10}(发到网上|发网上|曝光|挂到网上|挂网上|公开)|"
            r"(他|他们|对方|催收员?)的?[^我]{0,4}(照片|电话|信息|名字|身份证|住址).{0,6}(发到网上|发网上|挂到网上|挂网上|曝光|公开)|"
            r"(把|将)(他|她|对方|他们|那个人|这个人)的?.{0,8}(身份证|照片|信息|名字|电话|住址).{0,12}(发到|发在|发进|挂到|挂在|公开|曝光)|"
            r"在.{0,4}群里.{0,8}(曝光|公开|挂)(他|她|对方)|"
            r"post (his|her|their) (name|photo|id|address|number)|"
            r"把他.{0,10}(曝光|挂出来)|曝光(他|她|他们|对方|催收员?)|(挂|发)到网上.{0,4}(他|她|他们|对方|催收员?)|dox)",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.FORGERY,
        re.compile(
            r"((写|做|弄|伪造|排版|P|开).{0,12}(裁定书|判决书|调解书|公章|盖章|法院.{0,4}(文书|证明))|"
            r"假的?(判决|裁定|诊断|病历|证明|流水|离职证明|失业证明)|假的.{0,6}(证明|病历|诊断书|流水|合同|收据|凭证)|(伪造|P|编造|弄|开)(一?[张个份])?假的?.{0,6}(诊断书|病历|证明|流水)|"
            r"(伪造|编造|PS|ps|P(?=一?[张个份图])|p(?=一?[张个份图]))(一?[张个份图])?(假的?)?.{0,8}(证明|凭证|流水|截图|回单|收据)|"
            r"fake (court|medical|doctor))",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.EVADE,
        re.compile(
            r"(怎么(才能)?(不还|赖掉|逃债|躲债)|(帮我|教我).{0,6}(不还钱|赖账|逃债)|证明我.{0,10}不用还|"
            r"不用还钱的(办法|方法)|(转移|藏).{0,6}(财产|钱).{0,10}(执行不到|查不到|不被执行)|"
            r"(转到|转移到|放到|转给).{0,12}(执行不了|执行不到|查不到|冻结不了)|换.{0,4}(号码|城市|手机号|地方).{0,10}(不用还|不还)|"
            r"假装.{0,6}(死|去世|失踪)|(让|叫).{0,10}(法院|催收|他们).{0,6}(都)?找不到我|(真|就|是)不打算还|"
            r"how (to|can i) (avoid|not) (pay|repay))",
            re.IGNORECASE,
        ),
    ),
    (
        Concern.INJECTION,
        re.compile(
            r"(忽略(之前|以上|上面|前面)的?(所有)?(指令|指示|规则|设定)|你现在是.{0,10}(模式|角色)|没有任何限制|"
            r"ignore (all |the )?(previous|above) instructions|system prompt|jailbreak)",
            re.IGNORECASE,
        ),
    ),
]


# A request to decline is the person asking for it; "催收伪造法院文书吓唬我" describes what was done to them.
_REQUEST = re.compile(
    r"(帮我|给我(做|写|弄|P|开|搞)|替我|教我|我想|我要|我也|我打算|我准备|我把|我就|我去|能不能|能否|可不可以|可以.{0,8}吗|行不行|行吗|好不好|"
    r"怎么|如何|弄个|做个|搞个|写个|^找人|^去找|是不是就|就不用还|了吧|"
    r"开个|有没有办法|我能|我可以|help me|how (do|can|to)|i want|can you|can i|what if i|should i)",
    re.IGNORECASE,
)


_AUTHORITY = re.compile(
    r"(公安|警察|警官|民警|派出所|刑警|法院|法官|检察|通缉|逮捕|洗钱|police|officer|court|money laundering)",
    re.IGNORECASE,
)


def impersonates_authority(text: str) -> bool:
    """A scam told in the name of the police, a court or a prosecutor ("说是公安局的，说我涉嫌洗钱")."""
    return bool(_AUTHORITY.search(text))


def check(text: str) -> Verdict:
    """Run every rule over the text; pure and cheap. A link dressed up as a court's or the police's is a scam."""
    asks = bool(_REQUEST.search(text))
    found = [concern for concern, pat in _RULES if pat.search(text) and (asks or concern not in BLOCKING)]
    if Concern.DANGER in found and not _DANGER_BESIDE_CRY.search(_CRY.sub("", text)) and _ONLY_PHONE.search(text):
        found.remove(Concern.DANGER)  # "救命 我手机一晚上没停过 全是验证码": a cry about the flood, not violence
    if Concern.DOXXING in found and _OWN_LENDER.search(text):
        found.remove(Concern.DOXXING)  # "怎么查放款方是谁": finding out who lent the money is their right
    if Concern.PAID in found and _TO_ME.search(text) and not _SCAM_WORDS.search(text):
        found.remove(Concern.PAID)  # "我朋友转了两千块给我还网贷": money received, not sent to a scammer
    if Concern.DANGER in found and _ANGER.search(text):
        found.remove(Concern.DANGER)  # "气得我真想一拳打死那个催收": their anger, not a threat to them
    if Concern.PAID in found and _CREDITOR.search(text) and not _TRANSFERRED.search(text):
        found.remove(
            Concern.PAID
        )  # "朋友欠我5万 他去世了 这钱还能要回来吗": a loan to recover, not a transfer to a scammer
    if Concern.FRAUD not in found and any(judge(host) is LinkKind.LOOKALIKE for host in hosts(text)):
        found.append(Concern.FRAUD)
    return Verdict(tuple(found))


_CRY = re.compile(r"救命")
_TO_ME = re.compile(r"(转|打|汇|给)(了)?.{0,10}给我|(sent|transferred|gave) me", re.IGNORECASE)
_SCAM_WORDS = re.compile(r"骗|诈骗|拉黑|联系不上|打不通|减免|注销|安全账户|scam|blocked", re.IGNORECASE)
_ANGER = re.compile(
    r"(真|好|恨不得|真的|真是|气得我)?想.{0,3}(打死|弄死|砍死|揍死|掐死|杀了|宰了)(这个|那个|这些|那些|这帮|那帮)?(催收|王八蛋|混蛋|畜生|人|家伙)"
)
_CREDITOR = re.compile(r"欠我|借给(了)?(他|她|朋友|别人|亲戚|同事|同学)|借出去|owes? me", re.IGNORECASE)
_TRANSFERRED = re.compile(r"转了|转过去|打过去|汇了|转账|被骗|骗走|sent|transferred", re.IGNORECASE)
_OWN_LENDER = re.compile(
    r"放款方|放款机构|放贷方|放贷机构|资金方|贷款公司|借款公司|催收公司|催收机构|哪家(公司|机构)|平台", re.IGNORECASE
)
_DANGER_BESIDE_CRY = _RULES[0][1]
# the flood itself: codes, messages, calls; no one at the door
_ONLY_PHONE = re.compile(r"验证码|短信|轰炸|手机.{0,6}(响|没停|不停)|电话.{0,6}(不停|一直)|注册", re.IGNORECASE)
